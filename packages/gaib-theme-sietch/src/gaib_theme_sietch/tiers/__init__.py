"""Sietch's tier engine: thresholds, tiers, ranks, eligibility and holder snapshots.

Pure functions over data: nothing here talks to Discord. One module per idea:

- ``amounts``: exact BGT amounts (decimal strings or integer wei; floats refused)
- ``thresholds``: ``ThresholdService``, the configured thresholds and rank ranges
- ``ranking``: ranks of all holders, ties broken by wallet address
- ``tier``: ``TierService``, one holder's tier and why
- ``eligibility``: ``EligibilityService``, every member's tier and special roles
- ``holders``: ``Holder`` and the CSV/JSON snapshot source
- ``cli``: ``gaib sietch tier``

The package imports nothing itself, so building the CLI stays cheap; import the modules.
"""
