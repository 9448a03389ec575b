"""Holder sources behind ``gaib_sietch_register_holder_sources``: the built-ins register through
the hook like any plugin, a third party's source is found and read, and the command-line options
choose exactly one source."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from gaib_core import hookimpl
from gaib_core.errors import GaibError
from gaib_core.plugins import Hooks, build_plugin_manager
from gaib_theme_sietch import hooks as facade
from gaib_theme_sietch import plugin
from gaib_theme_sietch.tiers.holders import Holder, HolderList
from gaib_theme_sietch.tiers.source_options import source_request
from gaib_theme_sietch.tiers.sources import (
    HolderSourceError,
    HolderSourceRegistrar,
    SourceRequest,
    holder_sources,
    load_holders,
)


@dataclass(frozen=True)
class StaticSource:
    """A third party's source: every member holds ``amount`` wei."""

    members: tuple[str, ...]
    amount: int

    @property
    def label(self) -> str:
        return "static"

    def read(self) -> HolderList:
        holders = [
            Holder(wallet=f"0x{n:040x}", wei=self.amount, discord_user_id=member)
            for n, member in enumerate(self.members, start=1)
        ]
        # It knows amounts and members, no badges and no tenure: a sync leaves those roles be.
        return HolderList(holders, f"static list of {len(holders)}", provides=frozenset())


class StaticPlugin:
    """Registers ``static`` (options ``members`` and ``amount``)."""

    @hookimpl
    def gaib_sietch_register_holder_sources(self, register: HolderSourceRegistrar) -> None:
        def factory(options: Mapping[str, str]) -> StaticSource:
            return StaticSource(tuple(options["members"].split(",")), int(options["amount"]))

        register(
            "static",
            factory,
            summary="the same amount for every member",
            options={"members": "comma-separated ids", "amount": "wei"},
        )


@pytest.fixture
def hooks() -> Iterator[Hooks]:
    """A fresh manager with gaib-theme-sietch and the third party's plugin."""
    saved = list(facade.HOOKS)
    pm = build_plugin_manager(load_entry_points=False, extra=[plugin, StaticPlugin()])
    yield Hooks(pm)
    facade.HOOKS[:] = saved


def test_the_built_ins_and_a_plugins_source_register_through_the_hook(hooks: Hooks) -> None:
    sources = holder_sources(hooks)
    assert list(sources) == ["static", "snapshot", "evm"]  # pluggy: last registered first
    assert set(sources["evm"].options) == {
        "rpc_url", "token", "block", "batch_size", "timeout", "database_url"
    }  # fmt: skip


def test_a_plugins_source_is_read(hooks: Hooks) -> None:
    request = SourceRequest("static", {"members": "123456789012345678,223456789012345678",
                                       "amount": str(69 * 10**18)})  # fmt: skip
    held = load_holders(request, hooks)
    assert held.origin == "static list of 2"
    assert held.provides == frozenset()  # what the third party declared reaches the sync
    assert [h.discord_user_id for h in held.holders] == ["123456789012345678", "223456789012345678"]


def test_the_snapshot_source_reads_a_file(hooks: Hooks, tmp_path: Path) -> None:
    path = tmp_path / "holders.csv"
    path.write_text("wallet,amount\n0x00000000000000000000000000000000000000a1,6.9\n")
    held = load_holders(SourceRequest("snapshot", {"path": str(path)}), hooks)
    assert [(h.wallet, h.wei) for h in held.holders] == [
        ("0x00000000000000000000000000000000000000a1", 69 * 10**17)
    ]
    assert held.origin == str(path)
    assert held.provides == frozenset()  # no badges or joined_at column: neither is known


def test_the_entry_point_brings_the_built_ins() -> None:
    saved = list(facade.HOOKS)
    try:
        sources = holder_sources(Hooks(build_plugin_manager()))
    finally:
        facade.HOOKS[:] = saved
    assert {"snapshot", "evm"} <= set(sources)


def test_without_the_hook_spec_the_built_ins_still_work() -> None:
    bare = Hooks(build_plugin_manager(load_entry_points=False))
    assert list(holder_sources(bare)) == ["snapshot", "evm"]


def test_an_unknown_source_names_the_known_ones(hooks: Hooks) -> None:
    with pytest.raises(HolderSourceError) as caught:
        load_holders(SourceRequest("subgraph"), hooks)
    assert str(caught.value) == (
        "no holder source 'subgraph'; install the plugin that provides holder source "
        "'subgraph', or use one of: evm, snapshot, static"
    )


def test_an_unknown_option_names_the_sources_options(hooks: Hooks) -> None:
    with pytest.raises(HolderSourceError) as caught:
        load_holders(SourceRequest("evm", {"rpc": "http://x"}), hooks)
    assert str(caught.value) == (
        "holder source 'evm' has no option 'rpc'; its options are: rpc_url, token, block, "
        "batch_size, timeout, database_url"
    )


def test_a_name_registered_twice_is_an_error() -> None:
    saved = list(facade.HOOKS)

    class Twin(StaticPlugin):
        pass

    try:
        pm = build_plugin_manager(load_entry_points=False, extra=[plugin, StaticPlugin(), Twin()])
        with pytest.raises(HolderSourceError, match="holder source 'static' is registered twice"):
            holder_sources(Hooks(pm))
    finally:
        facade.HOOKS[:] = saved


def test_snapshot_without_a_path() -> None:
    with pytest.raises(GaibError, match="the snapshot holder source needs a file; give --holders"):
        load_holders(
            SourceRequest("snapshot"), Hooks(build_plugin_manager(load_entry_points=False))
        )


# -- choosing the source on the command line ----------------------------------------------------


def test_holders_picks_the_snapshot() -> None:
    assert source_request(holders=Path("h.csv"), environ={}) == SourceRequest(
        "snapshot", {"path": "h.csv"}
    )


def test_rpc_picks_the_evm_source_with_its_options() -> None:
    request = source_request(rpc="http://n", token="0xabc", block="12", batch_size=5, environ={})
    assert request == SourceRequest(
        "evm", {"rpc_url": "http://n", "block": "12", "token": "0xabc", "batch_size": "5"}
    )


def test_the_rpc_url_may_come_from_the_environment() -> None:
    request = source_request(environ={"SIETCH_RPC_URL": "https://n/KEY"})
    assert request == SourceRequest("evm", {"rpc_url": "https://n/KEY", "block": "latest"})
    # A named source wins over the variable.
    assert source_request(holders=Path("h.csv"), environ={"SIETCH_RPC_URL": "x"}) == SourceRequest(
        "snapshot", {"path": "h.csv"}
    )


def test_no_source() -> None:
    assert source_request(environ={}) is None


def test_source_with_options() -> None:
    request = source_request(source="static", source_options=["members=1,2", "amount=5"])
    assert request == SourceRequest("static", {"members": "1,2", "amount": "5"})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"holders": Path("h.csv"), "rpc": "http://n"},
         "--holders and --rpc name different holder sources; give only one of them"),
        ({"source": "x", "rpc": "http://n"}, "--rpc and --source name different holder sources"),
        ({"source_options": ["a=b"]}, "--source-option needs --source NAME"),
        ({"source": "x", "source_options": ["novalue"]},
         "--source-option 'novalue' is not KEY=VALUE"),
        ({"token": "0xabc"}, "--token is an option of --rpc; give --rpc URL too"),
        ({"block": "12"}, "--block is an option of --rpc; give --rpc URL too"),
    ],
)  # fmt: skip
def test_conflicting_options(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(GaibError) as caught:
        source_request(environ={}, **kwargs)  # type: ignore[arg-type]
    assert message in str(caught.value)


def test_the_packages_hooks_are_documented() -> None:
    import inspect

    from gaib_theme_sietch import hookspecs

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    specs = [
        n for n, f in inspect.getmembers(hookspecs, inspect.isfunction) if n.startswith("gaib_")
    ]
    assert specs == ["gaib_sietch_register_holder_sources"]
    for name in specs:
        assert f"def {name}(" in readme, f"show {name} in the README"
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        for param in inspect.signature(getattr(hookspecs, name)).parameters:
            assert f":param {param}:" in doc


# -- gaib sietch tier with a source (in-process; the subprocess runs are in evm/test_evm_cli.py) --


def run_tier(*args: str) -> tuple[int, str]:
    import typer
    from gaib_theme_sietch.tiers.cli import register
    from typer.testing import CliRunner

    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["tier", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_tier_for_one_member_of_a_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "holders.csv"
    rows = [f"0x{n:040x},{100 - n},{100000000000000000 + n}" for n in range(1, 10)]
    path.write_text("wallet,amount,discord_user_id\n" + "\n".join(rows) + "\n")
    code, out = run_tier("--holders", str(path), "--member", "100000000000000008")
    assert (code, out.strip()) == (
        0,
        "Fedaykin: rank 8 is in the Fedaykin seats (ranks 8-69); rank overrides amount",
    )
    code, out = run_tier("--holders", str(path), "--wallet", "0x" + f"{9:040x}".upper())
    assert code == 0 and out.startswith("Fedaykin: rank 9")
    code, out = run_tier("--holders", str(path))
    lines = out.splitlines()
    assert lines[0] == f"9 holders from {path}"
    assert lines[1].split() == ["rank", "tier", "BGT", "wallet", "member"]
    assert lines[2].split() == ["1", "Naib", "99", f"0x{1:040x}", "100000000000000001"]
    assert lines[-1].split() == ["9", "Fedaykin", "91", f"0x{9:040x}", "100000000000000009"]
    code, out = run_tier("--holders", str(path), "--json")
    data = json.loads(out)
    assert data["source"] == str(path)
    assert [h["rank"] for h in data["holders"]] == list(range(1, 10))


def test_tier_refuses_an_amount_with_a_source(tmp_path: Path) -> None:
    with pytest.raises(GaibError, match="--bgt/--wei decide one amount"):
        run_tier("--bgt", "6.9", "--holders", "x.csv")
    path = tmp_path / "h.csv"
    path.write_text("wallet,amount\n0x00000000000000000000000000000000000000a1,6.9\n")
    with pytest.raises(GaibError, match="--rank is computed from the holders"):
        run_tier("--holders", str(path), "--rank", "3")
    with pytest.raises(GaibError, match="member 1 is not among the holders of"):
        run_tier("--holders", str(path), "--member", "1")


def test_tier_names_the_option_to_leave_out_and_the_advice_works(tmp_path: Path) -> None:
    with pytest.raises(GaibError) as caught:
        run_tier("--bgt", "6.9", "--member", "1")
    assert "so --member cannot be used with them" in caught.value.message
    assert (caught.value.hint or "").startswith("leave out --member,")
    assert run_tier("--bgt", "6.9") == (
        0,
        "Hajra: unranked; 6.9 BGT reaches Hajra (6.9 BGT or more)\n",
    )
    path = tmp_path / "h.csv"
    path.write_text(
        "wallet,amount,discord_user_id\n0x00000000000000000000000000000000000000a1,6.9,1\n"
    )
    with pytest.raises(GaibError, match="--wallet and --member each pick one holder"):
        run_tier("--holders", str(path), "--member", "2", "--wallet", f"0x{0xA1:040x}")
