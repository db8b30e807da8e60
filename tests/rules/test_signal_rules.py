"""RP306 and RP314 report only what tells the reader something (issue 12: on real
repositories they fired on most correct objects).  Through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import RunCli


def deployment(
    name: str = "web",
    *,
    replicas: int | None = 3,
    strategy: str = "",
    image: str = "example.com/web:1.4.2",
    container: str = "",
    annotations: str = "",
) -> str:
    replicas_line = "" if replicas is None else f"  replicas: {replicas}\n"
    return (
        "apiVersion: apps/v1\nkind: Deployment\n"
        f"metadata:\n  name: {name}\nspec:\n{replicas_line}{strategy}"
        f"  selector:\n    matchLabels:\n      app: {name}\n"
        f"  template:\n    metadata:\n      labels:\n        app: {name}\n{annotations}"
        f"    spec:\n      containers:\n      - name: app\n        image: {image}\n"
        "        ports:\n        - containerPort: 8080\n"
        "        readinessProbe:\n          tcpSocket:\n            port: 8080\n"
        f"{container}"
    )


SERVICE = (
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n"
    "  selector:\n    app: web\n  ports:\n  - port: 80\n    targetPort: 8080\n"
)


def surge(value: str) -> str:
    return f"  strategy:\n    rollingUpdate:\n      maxSurge: {value}\n"


def findings(
    run_cli: RunCli, *args: str | Path, rule: str, deployments: int = 1
) -> list[tuple[str, int, str]]:
    """``rule``'s findings, once every Deployment was checked and planned (a silence is only
    meaningful then: a document the reader refused would say nothing under --select)."""
    result = run_cli("plan", "--format", "json", "--select", rule, *args)
    assert result.exit_code == 0, result.stdout  # info findings do not fail the run
    report = json.loads(result.stdout)
    assert report["summary"]["checked"].get("Deployment") == deployments
    assert len(report["plans"]) == deployments
    return [(f["rule"], f["line"], f["message"]) for f in report["findings"]]


def test_rp306_is_silent_on_the_default_surge_whatever_the_replicas(
    run_cli: RunCli, tmp_path: Path
) -> None:
    # the default (unset, or written as 25%) surge on 0 to 40 replicas, and unset replicas:
    # on 1 replica it resolves to 1, which is what once made RP306 fire on most Deployments
    documents = [deployment(f"d{n}", replicas=n) for n in range(41)]
    documents += [deployment(f"q{n}", replicas=n, strategy=surge("25%")) for n in range(41)]
    documents.append(deployment("unset", replicas=None))
    path = tmp_path / "defaults.yaml"
    path.write_text("---\n".join(documents))
    assert findings(run_cli, path, rule="RP306", deployments=83) == []


def test_rp306_fires_on_an_explicit_doubling_at_the_max_surge(
    run_cli: RunCli, tmp_path: Path
) -> None:
    path = tmp_path / "double.yaml"
    path.write_text(deployment(replicas=3, strategy=surge("100%")))
    [(rule, line, message)] = findings(run_cli, path, rule="RP306")
    assert (rule, line) == ("RP306", 9)  # maxSurge: 100%
    assert "maxSurge 100% resolves to 3 for 3 replicas" in message
    assert "adds up to 3 pods beyond replicas (6 in all)" in message


def test_rp306_small_surges_on_one_replica_are_silent_but_large_requests_are_not(
    run_cli: RunCli, tmp_path: Path
) -> None:
    def requests(cpu: str) -> str:
        return f"        resources:\n          requests:\n            cpu: {cpu}\n"

    small = tmp_path / "small.yaml"
    small.write_text(deployment(replicas=1, strategy=surge("1"), container=requests("500m")))
    assert findings(run_cli, small, rule="RP306") == []
    large = tmp_path / "large.yaml"
    large.write_text(deployment(replicas=1, strategy=surge("1"), container=requests('"4"')))
    [(_, _, message)] = findings(run_cli, large, rule="RP306")
    assert "adds up to 1 pod beyond replicas (2 in all), requesting 4 cpu more" in message


def test_rp314_needs_a_known_change_of_what_clients_see(run_cli: RunCli, tmp_path: Path) -> None:
    now = tmp_path / "now.yaml"
    now.write_text(deployment(image="example.com/web:1.5.0") + "---\n" + SERVICE)
    before = tmp_path / "before.yaml"
    # no previous version: the plan assumes a change but cannot say what it is
    assert findings(run_cli, now, rule="RP314") == []
    # a creation: the previous manifests have the Service but no Deployment, so no old pods
    before.write_text(SERVICE)
    assert findings(run_cli, now, "--previous", before, rule="RP314") == []
    # an image change: old and new pods differ for clients
    before.write_text(deployment(image="example.com/web:1.4.2") + "---\n" + SERVICE)
    [(rule, line, message)] = findings(run_cli, now, "--previous", before, rule="RP314")
    assert (rule, line) == ("RP314", 29)  # the Service's selector
    assert "runs example.com/web:1.5.0 instead of example.com/web:1.4.2" in message


def test_rp314_reports_env_changes_but_not_a_restart_or_new_requests(
    run_cli: RunCli, tmp_path: Path
) -> None:
    restarted = "      annotations:\n        kubectl.kubernetes.io/restartedAt: '2024-05-01'\n"
    requests = "        resources:\n          requests:\n            cpu: 200m\n"
    env = "        env:\n        - name: FEATURE_X\n          value: 'on'\n"
    before = tmp_path / "before.yaml"
    before.write_text(deployment() + "---\n" + SERVICE)
    now = tmp_path / "now.yaml"
    reported = {}
    for change, text in (
        ("restart", deployment(annotations=restarted)),
        ("requests", deployment(container=requests)),
        ("env", deployment(container=env)),
    ):
        now.write_text(text + "---\n" + SERVICE)
        reported[change] = [
            m for _, _, m in findings(run_cli, now, "--previous", before, rule="RP314")
        ]
    assert reported["restart"] == reported["requests"] == []
    [message] = reported["env"]
    assert "container 'app' gets another command, args or environment" in message
