"""Root conftest: the pytest plugins gaib's test suites share (append modules to the list)."""

pytest_plugins = [
    "gaib_core.testing.fixtures",
    "gaib_core.testing.moto",
    "gaib_core.testing.postgres",
]
