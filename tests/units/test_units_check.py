"""`check --base` with copies of one app: each copy is compared with its own base version,
and a copy that is gone is listed with its file while the other environment keeps its own."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.units.layouts import deployment, service, write

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
}  # fmt: skip


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    git(tmp_path, "init", "-q")
    write(tmp_path, {
        "deploy/staging/web.yaml": deployment(replicas=2),
        "deploy/staging/svc.yaml": service(),
        "deploy/prod/web.yaml": deployment(replicas=5),
        "deploy/prod/svc.yaml": service(),
    })  # fmt: skip
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(run_cli: RunCli) -> dict[str, object]:
    result = run_cli("check", "--format", "json", "--base", "HEAD", "deploy")
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_each_copy_is_compared_with_its_own_base_version(run_cli: RunCli, repo: Path) -> None:
    write(repo, {"deploy/prod/web.yaml": deployment(replicas=7)})
    document = check(run_cli)
    plans = [(p["file"], p["change"]) for p in document["plans"]]  # type: ignore[attr-defined]
    assert plans == [("deploy/prod/web.yaml", "scale")]  # staging's copy is unchanged


def test_a_copy_deleted_in_one_environment_is_listed_with_its_file(
    run_cli: RunCli, repo: Path
) -> None:
    (repo / "deploy" / "prod" / "web.yaml").unlink()
    document = check(run_cli)
    assert document["deletedDeployments"] == [
        {"namespace": "default", "name": "web", "file": "deploy/prod/web.yaml"}
    ]
    text = run_cli("check", "--format", "markdown", "--base", "HEAD", "deploy").stdout
    assert "| default/web (deploy/prod/web.yaml) | deleted | its ReplicaSets and pods go |" in text
    text = run_cli("check", "--base", "HEAD", "deploy").stdout  # before: no file named
    assert "Deployment default/web (deploy/prod/web.yaml): deleted" in text
