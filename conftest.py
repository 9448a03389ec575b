"""Root conftest: the pytest plugins gaib's test suites share (append modules to the list), and
the CI rule that a test which skips is a failure (CI must run everything it claims to test)."""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

pytest_plugins = [
    "gaib_core.testing.fixtures",
    "gaib_core.testing.moto",
    "gaib_core.testing.postgres",
]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Under ``CI=true`` a skip (a missing server, package or tool) fails the test instead."""
    report = yield
    if report.skipped and not hasattr(report, "wasxfail") and _in_ci():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where every test must run: {reason}"
    return report


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"
