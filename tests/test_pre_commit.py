"""The hook manifest works with the real pre-commit tool (`pre-commit try-repo`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.conftest import FIXTURES, ROOT
from tests.inputs.test_walking import NOT_MANIFESTS

HOOKS = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def test_hook_manifest_declares_the_lint_and_check_hooks() -> None:
    assert [(hook["id"], hook["entry"]) for hook in HOOKS] == [
        ("rolloutplan-lint", "rolloutplan lint"),
        ("rolloutplan-check", "rolloutplan check --plans brief"),
    ]
    for hook in HOOKS:
        assert hook["language"] == "python"
        assert set(hook["types_or"]) == {"yaml", "json"}
        assert hook["require_serial"] is True
        assert "exclude" not in hook  # rolloutplan's own excludes: one list (inputs.py)


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.slow
def test_pre_commit_try_repo_passes_clean_and_fails_broken_manifests(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    git("init", "-q", cwd=work)
    shutil.copy(FIXTURES / "yaml11" / "multi-document.yaml", work / "good.yaml")
    shutil.copy(FIXTURES / "bad" / "typo-field.yaml", work / "broken.yaml")
    git("add", ".", cwd=work)
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "rolloutplan-lint"]
        return subprocess.run(
            [*command, "--files", *files],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    clean = try_repo("good.yaml")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout

    broken = try_repo("good.yaml", "broken.yaml")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "Failed" in broken.stdout
    assert 'broken.yaml:10:3: error RP102 spec.replica: unknown field "replica"' in broken.stdout

    # files pre-commit names that are not manifests: left out by rolloutplan's defaults
    for name, text in NOT_MANIFESTS.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    (work / "empty.yaml").write_text("# the Deployment moved\n")
    git("add", ".", cwd=work)
    beside = try_repo("good.yaml", "empty.yaml", *NOT_MANIFESTS)
    assert beside.returncode == 0, beside.stdout + beside.stderr


@pytest.mark.slow
def test_pre_commit_run_all_files_with_this_repositorys_hooks(tmp_path: Path) -> None:
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    work = tmp_path / "work"
    work.mkdir()
    git("init", "-q", cwd=work)
    (work / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {ROOT}\n  rev: {head}\n  hooks:\n"
        "  - id: rolloutplan-lint\n  - id: rolloutplan-check\n"
    )
    shutil.copy(FIXTURES / "yaml11" / "multi-document.yaml", work / "app.yaml")
    git("add", ".", cwd=work)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    def run_all() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--all-files"],
            cwd=work, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip

    clean = run_all()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.count("Passed") == 2
    shutil.copy(FIXTURES / "bad" / "string-containerport.yaml", work / "broken.yaml")
    git("add", ".", cwd=work)
    broken = run_all()
    assert broken.returncode == 1
    assert broken.stdout.count("Failed") == 2
    assert "broken.yaml:21:26: error RP101" in broken.stdout
