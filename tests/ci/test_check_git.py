"""`rolloutplan check --base REV` in a real git repository: what each kind of change reports."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunCli

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: {label}
  template:
    metadata:
      labels:
        app: {label}
    spec:
      containers:
      - name: app
        image: example.com/{name}:{tag}
        ports:
        - containerPort: 8080
        readinessProbe:
          httpGet:
            path: /healthz
            port: 8080
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
"""
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
}  # fmt: skip


def deployment(name: str, replicas: int = 3, tag: str = "1.0.0", label: str = "") -> str:
    return DEPLOYMENT.format(name=name, replicas=replicas, tag=tag, label=label or name)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV})  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose first commit holds web (with its Service) and api."""
    git(tmp_path, "init", "-q")
    manifests = tmp_path / "deploy"
    manifests.mkdir()
    (manifests / "web.yaml").write_text(deployment("web") + "---\n" + SERVICE)
    (manifests / "api.yaml").write_text(deployment("api"))
    (manifests / "worker.yaml").write_text(deployment("worker"))
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(run_cli: RunCli, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("check", "--format", "json", "--base", "HEAD", *args, "deploy")
    return result.exit_code, json.loads(result.stdout)


def changes(document: dict[str, Any]) -> dict[str, str]:
    return {p["deployment"]["name"]: p["change"] for p in document["plans"]}


def test_each_kind_of_change_is_classified(run_cli: RunCli, repo: Path) -> None:
    deploy = repo / "deploy"
    (deploy / "web.yaml").write_text(deployment("web", tag="1.1.0") + "---\n" + SERVICE)
    (deploy / "api.yaml").write_text(deployment("api", replicas=5))
    (deploy / "worker.yaml").write_text(deployment("worker", replicas=4, tag="2.0.0"))
    (deploy / "batch.yaml").write_text(deployment("batch"))
    code, document = check(run_cli)
    assert code == 0
    assert changes(document) == {
        "web": "rollout",
        "api": "scale",
        "worker": "scale-then-rollout",
        "batch": "new",
    }
    web = next(p for p in document["plans"] if p["deployment"]["name"] == "web")
    assert web["outcome"] == "complete"
    assert [s["service"]["name"] for s in web["services"]] == ["web"]


def test_unchanged_deployments_are_not_planned(run_cli: RunCli, repo: Path) -> None:
    code, document = check(run_cli)
    assert (code, document["plans"], document["findings"]) == (0, [], [])


def test_a_selector_change_is_refused(run_cli: RunCli, repo: Path) -> None:
    (repo / "deploy" / "api.yaml").write_text(deployment("api", label="api-v2"))
    code, document = check(run_cli)
    assert code == 1
    assert changes(document) == {"api": "refused"}
    assert [(f["rule"], f["field"]) for f in document["findings"]] == [("RP205", "spec.selector")]


def test_a_renamed_file_is_compared_with_its_old_name(run_cli: RunCli, repo: Path) -> None:
    git(repo, "mv", "deploy/api.yaml", "deploy/api-server.yaml")
    code, document = check(run_cli)
    assert (code, document["plans"]) == (0, [])  # same object, same content: no change
    (repo / "deploy" / "api-server.yaml").write_text(deployment("api", tag="1.0.1"))
    assert changes(check(run_cli)[1]) == {"api": "rollout"}


def test_a_deleted_file_lists_its_deployments(run_cli: RunCli, repo: Path) -> None:
    (repo / "deploy" / "worker.yaml").unlink()
    code, document = check(run_cli)
    assert code == 0
    assert document["deletedDeployments"] == [
        {"namespace": "default", "name": "worker", "file": "deploy/worker.yaml"}
    ]
    text = run_cli("check", "--base", "HEAD", "deploy").stdout
    assert "Deployment default/worker (deploy/worker.yaml): deleted" in text


def test_findings_already_at_the_base_are_reported_only_with_all(
    run_cli: RunCli, repo: Path
) -> None:
    # a finding in an unchanged file: make the committed api.yaml untagged, then change web
    (repo / "deploy" / "api.yaml").write_text(deployment("api").replace(":1.0.0", ""))
    git(repo, "commit", "-qam", "untagged api")
    (repo / "deploy" / "web.yaml").write_text(deployment("web", tag="1.1.0") + "---\n" + SERVICE)
    _, document = check(run_cli)
    assert [(f["rule"], f["file"]) for f in document["findings"]] == [
        ("RP314", "deploy/web.yaml")  # info: old and new versions serve web together
    ]
    assert document["summary"]["baseline"]["notShown"] == 1  # api's RP302
    _, everything = check(run_cli, "--all")
    assert [
        (f["file"], f["baselineState"]) for f in everything["findings"] if f["rule"] == "RP302"
    ] == [("deploy/api.yaml", "unchanged")]


def test_reachability_sees_services_in_unchanged_files(run_cli: RunCli, repo: Path) -> None:
    deploy = repo / "deploy"
    (deploy / "web.yaml").write_text(deployment("web"))
    (deploy / "svc.yaml").write_text(SERVICE)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "split")
    (deploy / "web.yaml").write_text(deployment("web", tag="1.1.0"))
    _, document = check(run_cli)
    (web,) = document["plans"]
    assert [s["service"]["name"] for s in web["services"]] == ["web"]


def test_bad_revision_and_no_repository_are_usage_errors(
    run_cli: RunCli, repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    result = run_cli("check", "--base", "no-such-rev", "deploy")
    assert result.exit_code == 2
    assert "unknown revision 'no-such-rev'" in result.stderr
    elsewhere = tmp_path_factory.mktemp("plain")
    (elsewhere / "d.yaml").write_text(deployment("web"))
    os.chdir(elsewhere)
    outside = run_cli("check", "--base", "HEAD", "d.yaml")
    assert outside.exit_code == 2
    assert "--base HEAD:" in outside.stderr
