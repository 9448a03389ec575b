"""Test helpers gaib ships for its own suite and for plugin authors.

``gaib_core.testing.fixtures`` is a pytest plugin (enable it with
``pytest_plugins = ["gaib_core.testing.fixtures"]``) providing a real sandbox server on loopback.

Conformance kits (subclass the class in your tests and provide its fixtures):

- :mod:`gaib_core.testing.provider`: ``ProviderContract``, what the engine relies on a provider
  to do (gaib runs it against its Discord provider on the sandbox);
- :mod:`gaib_core.testing.state`: ``StateBackendContract``, a state backend against a dict model;
- :mod:`gaib_core.testing.themes`: ``ThemeContract``, a theme renders, validates and plans;
- :mod:`gaib_core.testing.lifecycle`: ``LifecycleContract``, a plugin's lifecycle hooks survive
  failures, interrupts and refusals (gaib-backup runs it).
"""
