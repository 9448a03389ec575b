"""The tier tests' coverage gate, and a sandbox guild with Sietch's 14 roles to sync over HTTP.

Coverage (PRD 6.6.4, enforced in CI): while a test of this directory runs, coverage.py measures
the tier services' modules, and only those (so the rest of the suite runs untraced). When the
run included this whole directory (``make test``, ``pytest packages/gaib-theme-sietch``, ...)
without ``-k``/``-m``, a module below its minimum fails the session with a line naming it.

``sietch_guild`` builds on gaib-core's ``sandbox`` fixture (a fresh guild on the session's
sandbox server, reached over loopback HTTP); ``SietchGuild.sync`` runs a real sync through
``DiscordProvider``: read the guild and its members, plan, apply.
"""

from __future__ import annotations

import ast
import asyncio
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import coverage
import gaib_theme_sietch.tiers
import pytest
from gaib_core.provider.discord import DiscordProvider
from gaib_core.testing.fixtures import SandboxGuild
from gaib_theme_sietch.tiers.amounts import bgt_to_wei
from gaib_theme_sietch.tiers.holders import FACTS, Fact, Holder
from gaib_theme_sietch.tiers.rolemanager import RoleManager, SyncPlan
from gaib_theme_sietch.tiers.roles import DEFAULT_NAMES, TIER_KEYS, RoleMap
from gaib_theme_sietch.tiers.sync import SyncResult, apply_plan, read_view

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

HERE = Path(__file__).resolve().parent
TIERS = Path(gaib_theme_sietch.tiers.__file__).resolve().parent
#: The minimum line coverage of each tier service (PRD 6.6.4).
MINIMUM = {"tier.py": 90.0, "rolemanager.py": 85.0, "eligibility.py": 85.0}
_COVERAGE = coverage.Coverage(
    data_file=None, include=[str(TIERS / name) for name in MINIMUM], config_file=False
)


_RAN: list[str] = []  # the tests of this directory that ran


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Measure the tier services while a test of this directory runs."""
    if HERE not in Path(item.path).resolve().parents:
        return (yield)
    _RAN.append(item.nodeid)
    _COVERAGE.start()
    try:
        return (yield)
    finally:
        _COVERAGE.stop()


def _whole_directory(config: pytest.Config) -> bool:
    """True when the run collected this directory as a whole (not a file, a test or -k)."""
    if config.option.keyword or config.option.markexpr or config.option.collectonly:
        return False
    if not _RAN or config.getoption("deselect", None) or config.getoption("lf", False):
        return False
    roots = []
    for arg in config.args:  # relative to where pytest ran (testpaths: to the root dir)
        path = Path(config.invocation_params.dir, arg.split("::")[0])
        roots.append((path if path.exists() else Path(config.rootpath, arg)).resolve())
    return any(root == HERE or root in HERE.parents for root in roots)


def import_time_lines(path: Path) -> set[int]:
    """Lines that run when the module is imported: all but the bodies of functions.

    The modules were imported before any test ran (hence before measuring), and importing runs
    exactly these lines, so they count as covered.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    runtime: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for statement in node.body:
                runtime.update(range(statement.lineno, (statement.end_lineno or 0) + 1))
    return set(range(1, len(path.read_text(encoding="utf-8").splitlines()) + 1)) - runtime


def coverage_report() -> list[tuple[str, float, list[int]]]:
    """Each tier service's line coverage (percent) and the lines no test ran."""
    report = []
    for name in MINIMUM:
        _, statements, _, missed, _ = _COVERAGE.analysis2(str(TIERS / name))
        missing = sorted(set(missed) - import_time_lines(TIERS / name))
        covered = 100.0 * (len(statements) - len(missing)) / max(len(statements), 1)
        report.append((name, covered, missing))
    return report


def _ranges(lines: list[int]) -> str:
    runs: list[list[int]] = []
    for line in lines:
        if runs and line == runs[-1][-1] + 1:
            runs[-1].append(line)
        else:
            runs.append([line])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail a passing run of the whole directory when a tier service lacks coverage."""
    if exitstatus != 0 or not _whole_directory(session.config):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    report = coverage_report()
    figures = ", ".join(
        f"{name} {covered:.1f}% (min {MINIMUM[name]:g}%)" for name, covered, _ in report
    )
    if reporter is not None:
        reporter.write_line(f"tier services' coverage: {figures}")
    for name, covered, missing in report:
        if covered < MINIMUM[name]:
            if reporter is not None:
                reporter.write_line(
                    f"FAILED coverage of gaib_theme_sietch/tiers/{name} is {covered:.1f}%, below "
                    f"the {MINIMUM[name]:g}% minimum; test the lines {_ranges(missing)}",
                    red=True,
                )
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def wallet(n: int) -> str:
    """A distinct wallet address."""
    return f"0x{n:040x}"


def whales(count: int = 100) -> list[Holder]:
    """``count`` unlinked holders of 5000+ BGT: they fill the seats (and the waitlist)."""
    return [Holder(wallet(0xA000 + i), bgt_to_wei(str(5000 + i))) for i in range(count)]


def holder(n: int, bgt: str, user: str | None, badges: tuple[str, ...] = ()) -> Holder:
    """A holder of ``bgt`` linked to ``user``."""
    return Holder(wallet(n), bgt_to_wei(bgt), user, badges)


@dataclass
class Synced:
    """One sync: its plan, what applying did, and the requests it sent in all."""

    plan: SyncPlan
    result: SyncResult | None
    requests: int
    pages: int


@dataclass
class SietchGuild:
    """A sandbox guild holding Sietch's roles, plus an unmanaged role ``Other``."""

    sandbox: SandboxGuild
    roles: dict[str, str]  # key -> role id
    other: str

    @property
    def guild_id(self) -> str:
        """The guild's id."""
        return self.sandbox.guild_id

    def add_member(self, name: str, keys: Iterable[str] = (), *, other: bool = False) -> str:
        """A member holding the Sietch roles ``keys`` (and ``Other``); returns the user id."""
        roles = [self.roles[k] for k in keys] + ([self.other] if other else [])
        return self.sandbox.server.sandbox.add_member(self.guild_id, name, roles)

    def role_ids(self, user: str) -> list[str]:
        """A member's role ids as the sandbox holds them."""
        guild = self.sandbox.server.sandbox.store.guild(self.guild_id)
        assert guild is not None
        return list(guild.members[user].roles)

    def held(self, user: str) -> set[str]:
        """A member's Sietch role keys."""
        key_of = {role_id: key for key, role_id in self.roles.items()}
        return {key_of[r] for r in self.role_ids(user) if r in key_of}

    def tiers(self, user: str) -> set[str]:
        """A member's tier role keys."""
        return self.held(user) & TIER_KEYS

    def sync(
        self,
        holders: list[Holder],
        *,
        dry_run: bool = False,
        strip_unknown: bool = False,
        concurrency: int = 8,
        provides: frozenset[Fact] = FACTS,
    ) -> Synced:
        """Read, plan and (unless ``dry_run``) apply, through the provider over HTTP."""

        async def go() -> Synced:
            async with DiscordProvider(
                token=self.sandbox.token,
                base_url=self.sandbox.base_url,
                retry_delay=0.01,
                max_retries=2,
            ) as provider:
                view = await read_view(provider, self.guild_id)
                roles = RoleMap.resolve(view.guild)
                plan = RoleManager(roles, strip_unknown=strip_unknown).plan(
                    self.guild_id, holders, view.members, now=NOW, provides=provides
                )
                result = None
                if not dry_run:
                    result = await apply_plan(
                        provider, plan, names=dict(roles.names), concurrency=concurrency
                    )
                return Synced(plan, result, provider.request_count, view.pages)

        return asyncio.run(go())


def make_sietch_guild(sandbox: SandboxGuild) -> SietchGuild:
    """Sietch's 14 roles and ``Other`` in the sandbox's fresh guild, all below the bot."""
    core = sandbox.server.sandbox
    roles = {
        key: core.add_role(sandbox.guild_id, name, position=100 - index)
        for index, (key, name) in enumerate(DEFAULT_NAMES.items())
    }
    other = core.add_role(sandbox.guild_id, "Other", position=50)
    return SietchGuild(sandbox, roles, other)


@pytest.fixture
def sietch_guild(sandbox: SandboxGuild) -> SietchGuild:
    """A fresh sandbox guild with Sietch's roles."""
    return make_sietch_guild(sandbox)
