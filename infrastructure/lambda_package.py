"""Build the scheduled-backup Lambda's zip from this repository (``nox -s lambda_package``).

The zip holds gaib-core and gaib-backup built from the working tree, plus their third-party
dependencies pinned by ``uv.lock`` (hash-checked), as wheels for the Lambda runtime's Python and
architecture. Those two are read from ``terraform/variables.tf`` (``lambda_runtime``,
``lambda_architecture``) so the package always matches the function Terraform creates; the
options override them (the tests build for the interpreter running them).

The zip is reproducible: entries sorted, timestamps fixed, no ``__pycache__``; the same tree
gives the same bytes, so Terraform's ``source_code_hash`` changes only when the code does.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import hcl2
from hcl2.utils import SerializationOptions

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VARIABLES = HERE / "terraform" / "variables.tf"
DEFAULT_OUTPUT = HERE / "build" / "gaib-backup-lambda.zip"
#: The workspace packages the function runs, built from the tree (dependencies come from uv.lock).
PACKAGES = ("gaib-core", "gaib-backup")
#: gaib-backup's extras the function needs: s3fs and boto3 (store, tables, SNS, CloudWatch).
EXTRAS = ("s3",)
#: Lambda's architectures and the manylinux platform uv resolves wheels for (glibc 2.17+ runs on
#: every Lambda Python runtime).
PLATFORMS = {"x86_64": "x86_64-manylinux2014", "arm64": "aarch64-manylinux2014"}
#: Fixed zip timestamp (the earliest a zip can hold) for reproducible bytes.
EPOCH = (1980, 1, 1, 0, 0, 0)
#: Installer records that name the build's temporary paths or uv's cache: left out (and out of
#: RECORD) so the bytes do not depend on where the build ran.
INSTALL_RECORDS = frozenset({"direct_url.json", "uv_cache.json"})


@dataclass(frozen=True)
class Target:
    """What to build for: a Python ``major.minor`` and a Lambda architecture."""

    python_version: str
    architecture: str

    @property
    def platform(self) -> str:
        """uv's ``--python-platform`` for this architecture."""
        return PLATFORMS[self.architecture]


def terraform_target(variables: Path = VARIABLES) -> Target:
    """The runtime and architecture ``variables.tf`` deploys by default."""
    options = SerializationOptions(
        with_comments=False, explicit_blocks=False, strip_string_quotes=True
    )
    parsed = hcl2.loads(variables.read_text(), serialization_options=options)
    defaults = {
        name: spec.get("default") for block in parsed["variable"] for name, spec in block.items()
    }
    runtime = str(defaults["lambda_runtime"])
    match = re.fullmatch(r"python(3\.\d+)", runtime)
    if match is None:
        raise SystemExit(f"{variables}: lambda_runtime {runtime!r} is not a python3.N runtime")
    return Target(match.group(1), str(defaults["lambda_architecture"]))


def uv() -> str:
    """The uv executable (``uv run`` exports it as ``UV``)."""
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        raise SystemExit("uv not found: run through `nox -s lambda_package` or `uv run`")
    return found


def run(*args: str) -> None:
    """Run a command from the repository root; its failure stops the build."""
    subprocess.run(args, cwd=ROOT, check=True)


def install(target: Target, site: Path, work: Path) -> None:
    """Install the pinned dependencies and the tree's packages into ``site`` for ``target``."""
    requirements = work / "requirements.txt"
    extras = [arg for extra in EXTRAS for arg in ("--extra", extra)]
    run(uv(), "export", "--frozen", "--no-dev", "--no-emit-workspace", "--package", "gaib-backup",
        *extras, "--quiet", "--output-file", str(requirements))  # fmt: skip
    platform = ["--python-platform", target.platform, "--python-version", target.python_version]
    common = ["--target", str(site), "--only-binary", ":all:", "--quiet", *platform]
    run(uv(), "pip", "install", "--require-hashes", "--no-deps", "-r", str(requirements), *common)
    wheels = work / "wheels"
    for package in PACKAGES:
        run(uv(), "build", "--wheel", "--quiet", "--out-dir", str(wheels), f"packages/{package}")
    run(uv(), "pip", "install", "--no-deps", *common, *map(str, sorted(wheels.glob("*.whl"))))


def _packaged(site: Path, path: Path) -> bool:
    """Whether ``path`` (a file under ``site``) belongs in the zip."""
    relative = path.relative_to(site).parts
    return (
        "__pycache__" not in relative and relative[0] != "bin" and path.name not in INSTALL_RECORDS
    )


def _content(path: Path) -> bytes:
    """The bytes to store; a ``RECORD`` loses the lines of the left-out installer records."""
    data = path.read_bytes()
    if path.name == "RECORD" and path.parent.name.endswith(".dist-info"):
        lines = data.decode("utf-8").splitlines(keepends=True)
        kept = [
            line
            for line in lines
            if line.split(",", 1)[0].rsplit("/", 1)[-1] not in INSTALL_RECORDS
        ]
        data = "".join(kept).encode("utf-8")
    return data


def write_zip(site: Path, output: Path) -> None:
    """Zip ``site`` reproducibly into ``output`` (atomically: a temp file, then a rename)."""
    files = sorted(path for path in site.rglob("*") if path.is_file() and _packaged(site, path))
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for path in files:
                info = zipfile.ZipInfo(path.relative_to(site).as_posix(), date_time=EPOCH)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, _content(path))
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build(target: Target, output: Path) -> Path:
    """Build the package for ``target`` at ``output``; returns ``output``."""
    with tempfile.TemporaryDirectory(prefix="gaib-lambda-") as tmp:
        work = Path(tmp)
        site = work / "site"
        install(target, site, work)
        write_zip(site, output)
    return output


def main(argv: list[str] | None = None) -> int:
    """Command line: ``[--python-version 3.12] [--architecture x86_64] [--output PATH]``."""
    default = terraform_target()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python-version", default=default.python_version)
    parser.add_argument("--architecture", default=default.architecture, choices=sorted(PLATFORMS))
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    target = Target(args.python_version, args.architecture)
    output = build(target, args.output.resolve())
    size = output.stat().st_size
    print(f"{output} ({size / 1e6:.1f} MB, Python {target.python_version}, {target.architecture})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
