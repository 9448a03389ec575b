"""In-house wallet verification for the Sietch theme (EIP-4361 / EIP-191, no third party).

A community member asks to verify (Discord ``/verify`` or Telegram ``/verify``); gaib opens a
:class:`~gaib_theme_sietch.verify.models.VerifySession` with a single-use nonce and an expiry,
the member signs the session's Sign-In with Ethereum message in their wallet (``personal_sign``),
and :class:`~gaib_theme_sietch.verify.verifier.Verifier` checks it and links the wallet to the
member exactly once. Modules:

- ``settings``: the service's environment (``VERIFY_BASE_URL``, ``DATABASE_URL``, ...);
- ``message``: the EIP-4361 message (render, parse, compare field by field);
- ``signature``: EIP-191 signatures (parse, refuse malleable ones, recover the signer);
- ``models``, ``store`` / ``sqlite`` / ``postgres``: sessions and links in SQLite or PostgreSQL;
- ``verifier``: opening sessions and verifying signatures;
- ``interactions`` (Discord), ``telegram``, ``replies``, ``page``, ``app`` and ``server``: the
  HTTP service on uvicorn;
- ``cli`` and ``profile``: ``gaib sietch serve|register-commands|whois``; ``commands``: the
  application commands registered with Discord;
- ``testing``: helpers for tests (signing, linking a wallet, the service in a subprocess).

The tier engine reads links with ``open_store(url).link_for("discord", user_id)``,
``link_for_address(...)`` or ``links("discord")``.

Needs the ``verify`` extra: ``pip install 'gaib-theme-sietch[verify]'``.
"""
