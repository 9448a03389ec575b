"""checkov finds nothing wrong with the Terraform: every check passes or is skipped inline, next
to the resource, with a written reason.

checkov runs isolated through ``uv tool run`` (its dependency tree conflicts with the
workspace's), pinned here, without contacting Prisma Cloud (``--skip-download``).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

TERRAFORM = Path(__file__).resolve().parents[1] / "terraform"
CHECKOV = "checkov==3.3.30"


def test_checkov_reports_no_failed_check(uv: str) -> None:
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_TELEMETRY": "false"}
    command = [uv, "tool", "run", "--from", CHECKOV, "checkov", "--directory", str(TERRAFORM),
               "--framework", "terraform", "--skip-download", "--output", "json"]  # fmt: skip
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=600, check=False
    )
    assert done.stdout.strip(), done.stderr[-2000:]
    report = json.loads(done.stdout)
    summary = report["summary"]
    failed = [
        (c["check_id"], c["resource"], c["file_path"]) for c in report["results"]["failed_checks"]
    ]
    assert failed == [], f"checkov failed checks: {failed}"
    assert summary["parsing_errors"] == 0
    assert summary["passed"] > 100  # it really looked at the resources
    assert done.returncode == 0, done.stderr[-2000:]
    for check in report["results"]["skipped_checks"]:
        reason = (check["check_result"].get("suppress_comment") or "").strip()
        assert len(reason) > 20, (
            f"{check['check_id']} on {check['resource']} is skipped without a reason"
        )
