"""The GitHub Action: action.yml's contract, and its script run locally in a git repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

from tests.ci.test_check_git import GIT_ENV, SERVICE, deployment, git
from tests.conftest import ROOT

ACTION = YAML(typ="safe").load((ROOT / "action.yml").read_text(encoding="utf-8"))
SCRIPT = ROOT / "action" / "check.sh"


def test_action_is_a_composite_running_the_script() -> None:
    assert ACTION["runs"]["using"] == "composite"
    (script_step,) = [step for step in ACTION["runs"]["steps"] if "run" in step]
    assert script_step["run"] == "$ACTION_PATH/action/check.sh"
    assert set(script_step["env"]) == {"ACTION_PATH", "INPUT_PATHS", "INPUT_BASE", "INPUT_ARGS"}
    assert set(ACTION["inputs"]) == {"paths", "base", "args"}


def test_script_annotates_and_writes_the_job_summary(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "deploy").mkdir(parents=True)
    git(repo, "init", "-q")
    (repo / "deploy" / "web.yaml").write_text(deployment("web") + "---\n" + SERVICE)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    broken = deployment("web", tag="1.1.0").replace("replicas: 3", "replica: 3")
    (repo / "deploy" / "web.yaml").write_text(broken + "---\n" + SERVICE)
    summary = tmp_path / "summary.md"
    env = {
        **os.environ,
        **GIT_ENV,
        "ROLLOUTPLAN_SKIP_INSTALL": "1",  # the package under test is installed already
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_STEP_SUMMARY": str(summary),
        "INPUT_PATHS": "deploy",
        "INPUT_BASE": "HEAD",
        "INPUT_ARGS": "--kubernetes-version 1.37",
    }
    done = subprocess.run(["bash", str(SCRIPT)], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "::error file=deploy/web.yaml,line=6,col=3,title=RP102" in done.stdout
    assert "RP102" in summary.read_text(encoding="utf-8")
