"""The plan/apply engine: config -> desired objects -> diff against the guild -> plan -> apply.

Modules, in the order data flows through them:

- ``names``: channel names as Discord stores them.
- ``refs``: symbolic references (``role.naib``, ``@everyone``, ``role#123``) used in diffs.
- ``desired``: the config as the objects gaib wants (roles, categories, channels, overwrites).
- ``observed``: guild objects in the same vocabulary, so the two compare with ``==``.
- ``match``: which guild object each config address is (state id, crash journal, conflicts).
- ``order``: relative order of roles and channels, and the positions that achieve it.
- ``diff``: attribute-level changes with ``ignore_changes`` applied.
- ``preflight``: what Discord would refuse, found before any request.
- ``plan``: the ``Plan`` model (data); ``planner``: ``make_plan`` and the steps it runs.
- ``render``: a plan as Terraform-style lines (no terminal dependency).
- ``writes``: the request bodies a planned change turns into.
- ``apply``: executing a plan, crash-safely.
- ``workflow`` / ``session``: refresh + plan (+ apply) under one lock; wiring for commands.
- ``importer`` / ``export`` / ``teardown``: adopting, describing and clearing a live guild.
"""
