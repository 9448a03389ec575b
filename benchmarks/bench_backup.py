"""gaib-backup benchmarks (issue #10): backup create and restore of a 250-role / 500-channel
state, the size of a Sietch snapshot, and a full snapshot restore.

Run: ``.tools/bin/uv run nox -s bench`` (or ``uv run python benchmarks/bench_backup.py``).
Prints a markdown table; figures are medians over ``--runs`` runs. PRD targets (13.3): create
< 5 s, restore < 30 s, snapshot < 1 MB. Ours: create < 100 ms and restore < 200 ms on the local
store, Sietch snapshot < 20 KB.

- *backup create*: ``create_backup`` of the big state on a ``file://`` store (premium service
  tier: no limit), each run a new serial so nothing is deduplicated: encode, gzip, SHA-256,
  exclusive write of the object, record beside it.
- *backup restore*: find, load (size, checksum, gunzip, schema), preview (diff) and
  ``restore_state`` into a local workspace (safety backup of the current state included).
- *Sietch snapshot*: the four files of a snapshot taken after a Sietch apply on the sandbox.
- *full snapshot restore*: the Sietch guild emptied by ``destroy``; then verify + restore the
  snapshot's state and config, plan and apply until the guild matches again (in-process sandbox
  server on loopback, relaxed rate limits).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import yaml
from gaib_backup import plugin
from gaib_backup.backups import create_backup, find_backup, preview_restore, preview_state
from gaib_backup.context import BackupContext
from gaib_backup.operations import apply_config, plan_config, restore_config, restore_state
from gaib_backup.snapshots import create_snapshot, load_snapshot
from gaib_backup.theme_registry import read_registry
from gaib_core.config.dump import dump_config
from gaib_core.engine.workflow import plan_and_apply
from gaib_core.plugins import Hooks, build_plugin_manager
from gaib_core.project import Project
from gaib_core.provider.discord import DiscordProvider
from gaib_core.sandbox.server import SandboxServer
from gaib_core.state.backends import LocalBackend
from gaib_core.state.manager import StateManager, open_state
from gaib_core.state.models import ResourceState, State
from gaib_core.themes import find_theme, render_theme

SERVER = "123456789012345678"


def big_state(serial: int) -> State:
    """250 roles, 50 categories, 500 channels with overwrites, as an apply records them."""
    resources: dict[str, ResourceState] = {}
    for i in range(250):
        resources[f"role.role_{i:03d}"] = ResourceState(
            type="role", id=str(10**17 + i), name=f"role-{i:03d}",
            attributes={"name": f"role-{i:03d}", "color": i * 9973 % 0xFFFFFF, "hoist": i % 2 == 0,
                        "mentionable": False, "permissions": 1024 | 2048, "prevent_destroy": False},
        )  # fmt: skip
    for c in range(50):
        resources[f"category.category_{c}"] = ResourceState(
            type="category", id=str(2 * 10**17 + c), name=f"Category {c}",
            attributes={"type": 4, "name": f"Category {c}", "overwrites": {}},
        )  # fmt: skip
        for n in range(10):
            key = f"channel.channel_{c}_{n}"
            resources[key] = ResourceState(
                type="channel", id=str(3 * 10**17 + c * 10 + n), name=f"channel-{c}-{n}",
                attributes={
                    "type": 0, "name": f"channel-{c}-{n}", "parent": f"category.category_{c}",
                    "topic": f"Topic of channel {c}-{n}", "nsfw": False, "slowmode": 0,
                    "overwrites": {"@everyone": {"allow": 0, "deny": 1024},
                                   f"role.role_{(c * 5 + n) % 250:03d}": {"allow": 3072, "deny": 0}},
                },
            )  # fmt: skip
    return State(serial=serial, guild_id=SERVER, resources=resources)


def bench_backup(runs: int) -> list[str]:
    creates, restores, sizes, create_cpu, restore_cpu = [], [], [], [], []
    hooks = Hooks(build_plugin_manager(load_entry_points=False))
    with tempfile.TemporaryDirectory() as tmp:
        ctx = BackupContext.from_url((Path(tmp) / "store").as_uri())
        ctx.set_service_tier(SERVER, "premium")
        manager = StateManager(LocalBackend(Path(tmp) / "workspaces"), "default", hooks=hooks)
        for run in range(runs):
            state = big_state(serial=1000 + run)
            start, cpu = time.perf_counter(), time.process_time()
            made = create_backup(ctx, state, server_id=SERVER, message="bench")
            creates.append(time.perf_counter() - start)
            create_cpu.append(time.process_time() - cpu)
            sizes.append(made.backup.size)
            current = big_state(serial=5000 + run)
            current.lineage = state.lineage
            del current.resources["role.role_000"]
            manager.push((current.model_dump_json()).encode(), force=True)
            start, cpu = time.perf_counter(), time.process_time()
            meta = find_backup(ctx, SERVER, made.backup.id)
            preview = preview_restore(ctx, manager, meta)
            restore_state(ctx, manager, preview, guild_id=SERVER, source="bench")
            restores.append(time.perf_counter() - start)
            restore_cpu.append(time.process_time() - cpu)
    return [
        "| state size | 250 roles, 50 categories, 500 channels | |",
        f"| backup object (gzip) | {statistics.median(sizes) / 1024:.1f} KB | |",
        f"| backup create, file:// (wall / CPU) | {statistics.median(creates) * 1000:.0f} ms / {statistics.median(create_cpu) * 1000:.0f} ms | PRD < 5 s, ours < 100 ms |",
        f"| backup restore, file:// (wall / CPU) | {statistics.median(restores) * 1000:.0f} ms / {statistics.median(restore_cpu) * 1000:.0f} ms | PRD < 30 s, ours < 200 ms |",
    ]


async def _apply(
    server: SandboxServer, guild: str, token: str, root: Path, config, hooks, destroy=False
):  # type: ignore[no-untyped-def]
    manager = open_state(Project(root), hooks)
    async with DiscordProvider(token=token, base_url=server.base_url) as provider:
        _, result = await plan_and_apply(config, provider, guild, manager, hooks, destroy=destroy)
        assert not result.errors, result.errors
        return manager.read()


async def _full_restore(server, guild, token, root, ctx, hooks, snapshot_id):  # type: ignore[no-untyped-def]
    manager = open_state(Project(root), hooks)
    async with DiscordProvider(token=token, base_url=server.base_url) as provider:
        snap = load_snapshot(ctx, guild, snapshot_id)
        preview = preview_state(snap.state, manager, source="snapshot")
        restore_state(ctx, manager, preview, guild_id=guild, source="bench",
                      snapshot_id=snapshot_id)  # fmt: skip
        path = root / "discord-server.yaml"
        restore_config(path, snap.config_text)
        plan = await plan_config(path, provider, guild, manager)
        result = await apply_config(plan, path, provider, manager, hooks, operation="apply")
        assert not result.errors, result.errors
        again = await plan_config(path, provider, guild, manager)
        assert not again.has_changes


def bench_sietch(runs: int) -> list[str]:
    hooks = Hooks(build_plugin_manager(load_entry_points=False, extra=[plugin]))
    config = render_theme(find_theme("sietch", Hooks(build_plugin_manager())), {})
    text = dump_config(config)
    sizes, restores = [], []
    with SandboxServer(limits="relaxed") as server, tempfile.TemporaryDirectory() as tmp:
        for run in range(runs):
            info = server.sandbox.create_guild()
            root = Path(tmp) / f"p{run}"
            (root / ".gaib").mkdir(parents=True)
            (root / ".gaib" / "config.yaml").write_text(
                yaml.safe_dump({"provider": "discord", "guild_id": info.guild_id})
            )
            (root / "discord-server.yaml").write_text(text)
            ctx = BackupContext.from_url((root / "store").as_uri())
            ctx.set_service_tier(info.guild_id, "premium")
            plugin.use_context(ctx)
            state = asyncio.run(_apply(server, info.guild_id, info.token, root, config, hooks))
            manifest = create_snapshot(ctx, state, text, read_registry(ctx, info.guild_id),
                                       server_id=info.guild_id)  # fmt: skip
            files = manifest.files
            manifest_bytes = len(manifest.to_json())
            sizes.append(files.state.size + files.config.size + files.theme_registry.size
                         + manifest_bytes)  # fmt: skip
            asyncio.run(
                _apply(server, info.guild_id, info.token, root, config, hooks, destroy=True)
            )
            start = time.perf_counter()
            asyncio.run(_full_restore(server, info.guild_id, info.token, root, ctx, hooks,
                                      manifest.id))  # fmt: skip
            restores.append(time.perf_counter() - start)
            plugin.use_context(None)
    resources = len(config.addresses())
    return [
        f"| Sietch snapshot (4 files, {resources} resources) | {statistics.median(sizes) / 1024:.1f} KB | PRD < 1 MB, ours < 20 KB |",
        f"| full snapshot restore after destroy (verify, state + config, plan, apply {resources} creates, plan again) | {statistics.median(restores):.2f} s | PRD < 30 s |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = ["| measure | median | target |", "|---|---|---|"]
    rows += bench_backup(args.runs)
    rows += bench_sietch(max(1, min(args.runs, 3)))
    print("\n".join(rows))


if __name__ == "__main__":
    main()
