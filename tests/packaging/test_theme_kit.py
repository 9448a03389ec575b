"""The theme authoring kit as an author uses it (issue 14 item 2), in a virtualenv made from the
built wheels: scaffold with ``gaib theme new``, install the package, see the theme in ``theme ls``
and ``theme info``, run its generated tests, use it in a community's project, then publish a
new major version the way docs/themes.md says (bump, build, the constraint communities write).

One journey in one test: each step needs the installed package of the step before.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .venvs import Venv, uv

pytestmark = pytest.mark.packaging


def test_write_install_test_use_and_publish_a_theme(everything: Venv, tmp_path: Path) -> None:
    author = tmp_path / "author"
    author.mkdir()
    created = everything.gaib("theme", "new", "lagoon", cwd=author)
    assert created.code == 0, created
    package = author / "gaib-theme-lagoon"
    everything.install(f"{package}[test]")

    listed = everything.gaib("theme", "ls", cwd=author)
    assert listed.code == 0, listed
    assert re.search(r"lagoon\s+│\s+1\.0\.0", listed.out), listed.out
    info = everything.gaib("theme", "info", "lagoon", cwd=author)
    assert info.code == 0, info
    for text in ("community_name", "role.leader", "channel.general", 'version: "~=1.0"'):
        assert text in info.out, info.out

    # The generated tests (gaib's conformance kit and the example) against the installed
    # package: pytest runs from the package folder, importing what was installed.
    tests = everything.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=package)
    assert tests.code == 0, tests
    assert re.search(r"\b10 passed\b", tests.out), tests.out

    # A community uses it: init writes the major series, plan creates the theme's items.
    community = tmp_path / "community"
    community.mkdir()
    init = everything.gaib("server", "init", "--theme", "lagoon", cwd=community)
    assert init.code == 0, init
    config = community / "discord-server.yaml"
    assert 'version: "~=1.0"' in config.read_text()
    plan = everything.gaib("server", "plan", "--detailed-exitcode", cwd=community)
    assert plan.code == 2, plan
    assert '+ role.leader  role "Leader"' in plan.out and "channel.lounge" in plan.out

    # Publishing 2.0.0: bump theme.yaml's version, build; the package's version follows.
    manifest = package / "src" / "gaib_theme_lagoon" / "theme" / "theme.yaml"
    manifest.write_text(manifest.read_text().replace("version: 1.0.0", "version: 2.0.0"))
    dist = tmp_path / "dist"
    built = everything.run(uv(), "build", "--out-dir", str(dist), str(package), cwd=tmp_path)
    assert built.code == 0, built
    assert sorted(p.name for p in dist.glob("gaib_theme_lagoon-*")) == [
        "gaib_theme_lagoon-2.0.0-py3-none-any.whl",
        "gaib_theme_lagoon-2.0.0.tar.gz",
    ]
    everything.install(str(dist / "gaib_theme_lagoon-2.0.0-py3-none-any.whl"))
    assert re.search(r"lagoon\s+│\s+2\.0\.0", everything.gaib("theme", "ls", cwd=author).out)

    # The community on ~=1.0 is refused the new major version, told what to write; it works.
    refused = everything.gaib("server", "validate", cwd=community)
    assert refused.code == 1
    assert "theme lagoon 2.0.0 is installed, but this file accepts ~=1.0" in refused.err, refused
    assert "pip install 'gaib-theme-lagoon~=1.0'" in refused.err, refused
    assert 'set theme.version to "~=2.0"' in refused.err, refused
    config.write_text(config.read_text().replace('"~=1.0"', '"~=2.0"'))
    accepted = everything.gaib("server", "validate", cwd=community)
    assert accepted.code == 0, accepted
