"""The pre-commit case, one file linted, starts without the modules it does not need.

A fresh interpreter runs ``rolloutplan lint`` on one manifest through ``cli.main`` and says
which of these modules it imported: a module-level import added later (the planner, a
reporter the run does not print, the slow schema validator, tomllib...) fails here instead
of silently making every hook run slower.  No timing: only what was imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rolloutplan.inputs import DEFAULT_EXCLUDES
from tests.conftest import FIXTURES, ROOT

# never needed to lint a valid manifest without a cache, whatever its kind
NOT_FOR_ONE_FILE = (
    "rolloutplan.planner.plan",
    "rolloutplan.planner.simulate",
    "rolloutplan.planner.timing",
    "rolloutplan.analysis.endpoints",
    "rolloutplan.analysis.plan_risks",
    "rolloutplan.baseline",
    "rolloutplan.vcs",
    "rolloutplan.cache",  # --no-cache
    "rolloutplan.fingerprint",
    "rolloutplan.report.json_",
    "rolloutplan.report.sarif",
    "rolloutplan.report.svg",
    "rolloutplan.report.markdown",
    "rolloutplan.report.junit",
    "rolloutplan.report.rules_doc",
    "jsonschema",  # the slow validator: only for a document jsonschema-rs rejects
    "tomllib",  # only where a pyproject.toml is found
    "difflib",  # "did you mean": only for an unknown field or a Service selecting nothing
    "sqlite3",
    "subprocess",
    "multiprocessing",
    "concurrent.futures",
    "tempfile",
    "hashlib",  # loads OpenSSL: only the cache's keys need it (load.parse uses _blake2)
)
# the API server's checks of the kinds a file does not hold
SERVICE_CHECKS = ("rolloutplan.validate.apiserver.service",)
WORKLOAD_CHECKS = ("rolloutplan.validate.apiserver.workload",)
# and of the kinds beside a Deployment (HorizontalPodAutoscaler, quotas, LimitRange, PDB)
NEIGHBOUR_CHECKS = (
    "rolloutplan.validate.apiserver.autoscaling",
    "rolloutplan.validate.apiserver.quota",
    "rolloutplan.validate.apiserver.disruption",
    "rolloutplan.analysis.neighbours",
    # their typed objects and pods' scheduling terms (tolerations, affinity, spread)
    "rolloutplan.model.cluster",
    "rolloutplan.planner.quota",  # a pod's charge: only for a maxSurge someone chose (RP306)
)

PROBE = """
import json, sys
from rolloutplan.cli import main
code = main(["lint", "--no-cache", sys.argv[1]])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _lint_in_fresh_interpreter(manifest: Path, cwd: Path) -> tuple[int, set[str], str]:
    """The exit code, the modules imported and the output of linting ``manifest`` alone."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(manifest)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(cwd)},
    )
    *output, last = done.stdout.splitlines()
    probe = json.loads(last)
    return probe["code"], set(probe["modules"]), "\n".join(output)


@pytest.mark.parametrize(
    ("manifest", "absent"),
    [
        (
            FIXTURES / "seed" / "deployment-nginx.yaml",
            NOT_FOR_ONE_FILE + SERVICE_CHECKS + NEIGHBOUR_CHECKS,
        ),
        (
            FIXTURES / "seed" / "service-clusterip.yaml",
            NOT_FOR_ONE_FILE + WORKLOAD_CHECKS + NEIGHBOUR_CHECKS,
        ),
    ],
    ids=["deployment", "service"],
)
def test_one_file_lint_imports_only_what_it_needs(
    manifest: Path, absent: tuple[str, ...], tmp_path: Path
) -> None:
    code, modules, output = _lint_in_fresh_interpreter(manifest, tmp_path)
    assert code == 0, output
    assert "1 file, 1 object checked" in output  # the file was linted, not skipped
    assert "rolloutplan.validate.schemas" in modules  # ... and validated
    assert sorted(m for m in absent if m in modules) == []


@pytest.mark.parametrize("excluded", DEFAULT_EXCLUDES)
def test_default_excludes_leave_out_a_named_file_without_compiling_each_glob(
    excluded: str, run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Literal names are compared as strings and the globs compiled only when a name
    matches their union: each default still leaves out a file of its name."""
    name = excluded.rstrip("/").replace("*", "x")
    path = tmp_path / name / "deploy.yaml" if excluded.endswith("/") else tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text((FIXTURES / "seed" / "service-clusterip.yaml").read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    result = run_cli("lint", "--no-cache", path.relative_to(tmp_path))
    assert result.exit_code == 0, result.output
    assert "0 files" in result.output
    assert f"excluded by {excluded!r} (a default exclude" in result.stderr
