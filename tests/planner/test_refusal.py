"""An update the API server refuses is planned as a refusal: the current ReplicaSets keep
running, nothing steps, and no endpoint or outage finding comes from a plan that never runs
(issue 13, item 2)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, RunCli
from tests.report.test_json_schema import assert_valid

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
{annotations}spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: {app}
  template:
    metadata:
      labels:
        app: {app}
        tier: frontend
    spec:
      containers:
      - name: app
        image: example.com/web:{tag}
        ports:
        - containerPort: 8080
        readinessProbe:
          httpGet: {{path: /healthz, port: 8080}}
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    {selector}
  ports:
  - port: 80
    targetPort: 8080
"""
REFUSED_SELECTOR = "the API server refuses the update: RP205 spec.selector is immutable"


def deployment(
    app: str = "web", replicas: int | str = 3, tag: str = "1.0.0", annotations: str = ""
) -> str:
    return DEPLOYMENT.format(app=app, replicas=replicas, tag=tag, annotations=annotations)


def write(tmp_path: Path, **files: str) -> dict[str, Path]:
    paths = {}
    for name, text in files.items():
        paths[name] = tmp_path / f"{name}.yaml"
        paths[name].write_text(text)
    return paths


@pytest.fixture
def selector_change(tmp_path: Path) -> dict[str, Path]:
    """web's selector changes from app=web to app=web2; its Service, in a file of its own,
    selects tier=frontend, which old and new pods share."""
    return write(
        tmp_path,
        old=deployment(),
        new=deployment(app="web2", tag="1.1.0"),
        service=SERVICE.format(selector="tier: frontend"),
    )


def json_run(run_cli: RunCli, *args: str | Path) -> tuple[int, dict[str, Any]]:
    result = run_cli(*args[:1], "--format", "json", *args[1:])
    document = json.loads(result.stdout)
    assert_valid(document)
    return result.exit_code, document


def test_a_selector_change_shows_the_current_pods_running_on(
    run_cli: RunCli, selector_change: dict[str, Path]
) -> None:
    paths = selector_change
    code, document = json_run(
        run_cli, "plan", "--previous", paths["old"], paths["new"], paths["service"]
    )
    assert code == 1
    assert [f["rule"] for f in document["findings"]] == ["RP205"]
    (plan,) = document["plans"]
    assert (plan["change"], plan["outcome"], plan["steps"]) == ("refused", "refused", [])
    assert plan["start"] == {"old": 3, "new": 0, "available": 3}
    assert plan["final"] == {"old": 3, "new": 0, "available": 3, "upToDate": 0}
    assert (plan["peakPods"], plan["minAvailablePods"], plan["waves"]) == (3, 3, 0)
    assert plan["services"] == []  # no endpoint timeline of an update that never runs
    assert REFUSED_SELECTOR in plan["notes"]
    assert plan["assumptions"] == []


def test_a_refused_plan_in_text_names_why_and_what_keeps_running(
    run_cli: RunCli, selector_change: dict[str, Path]
) -> None:
    paths = selector_change
    result = run_cli("plan", "--previous", paths["old"], paths["new"], paths["service"])
    assert result.exit_code == 1
    text = result.stdout
    assert "current:         web-<current>: 3 pods, 3 available, unchanged" in text
    assert (
        "outcome: refused by the API server: the current ReplicaSets keep running unchanged "
        "(3 pods, 3 available)"
    ) in text
    assert f"note: {REFUSED_SELECTOR}" in text
    assert "selector: app=web -> app=web2" in text
    assert "no endpoints" not in text and "RP312" not in text
    assert "peak pods 0" not in text and "STEP" not in text


def test_the_exit_code_of_a_refusal_follows_rp205_alone(
    run_cli: RunCli, selector_change: dict[str, Path]
) -> None:
    paths = selector_change
    args = ["--all", "--fail-on", "warning", "--previous", paths["old"], paths["new"]]
    code, document = json_run(run_cli, "check", *args, paths["service"])
    assert code == 1
    assert [f["rule"] for f in document["findings"]] == ["RP205"]
    # with RP205 ignored nothing is left: no endpoint warning from the refused plan
    result = run_cli("check", *args, paths["service"], "--ignore", "RP205")
    assert result.exit_code == 0, result.stdout


def test_a_service_selecting_the_old_labels_gets_no_outage_finding(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """The issue's case: the Service selects app=web, the update relabels to app=web2.  The
    update is refused, so no RP313 ("an outage once it completes") nor RP312; the files as
    written still give RP401 (the Service matches none of the templates given)."""
    paths = write(
        tmp_path,
        old=deployment(),
        new=deployment(app="web2"),
        service=SERVICE.format(selector="app: web"),
    )
    args = ["--all", "--previous", paths["old"], paths["new"], paths["service"]]
    code, document = json_run(run_cli, "check", *args)
    assert code == 1
    rules = [f["rule"] for f in document["findings"]]
    assert "RP313" not in rules and "RP312" not in rules
    assert "RP205" in rules
    assert document["plans"][0]["outcome"] == "refused"


def test_an_update_rejected_by_validation_is_refused_naming_the_rule(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """A Deployment RP209 rejects is not typed; with a previous version it is planned as a
    refused update of it, from the previous version."""
    paths = write(tmp_path, old=deployment(), new=deployment(replicas=-2, tag="1.1.0"))
    code, document = json_run(run_cli, "plan", "--previous", paths["old"], paths["new"])
    assert code == 1
    assert [f["rule"] for f in document["findings"]] == ["RP209"]
    (plan,) = document["plans"]
    assert (plan["file"], plan["change"], plan["outcome"]) == (
        str(paths["new"]), "refused", "refused",
    )  # fmt: skip
    assert plan["start"] == {"old": 3, "new": 0, "available": 3}
    assert plan["replicas"] == 3  # the version that keeps running
    assert plan["notes"] == [
        "the API server refuses the update: RP209 spec.replicas (negative-value)"
    ]


def test_a_schema_rejected_update_names_every_rule(run_cli: RunCli, tmp_path: Path) -> None:
    text = deployment(app="web2", tag="1.1.0").replace("  replicas: 3\n", "  replica: 3\n")
    paths = write(tmp_path, old=deployment(), new=text)
    result = run_cli("plan", "--previous", paths["old"], paths["new"])
    assert result.exit_code == 1
    assert "refused, RollingUpdate, 3 replicas" in result.stdout
    assert "note: the API server refuses the update: RP102 spec.replica (unknown-field)" in (
        result.stdout
    )


def test_a_waived_rejection_still_refuses(run_cli: RunCli, tmp_path: Path) -> None:
    waiver = '  annotations:\n    rolloutplan.io/ignore-negative-value: "known"\n'
    paths = write(tmp_path, old=deployment(), new=deployment(replicas=-1, annotations=waiver))
    code, document = json_run(run_cli, "plan", "--previous", paths["old"], paths["new"])
    assert (code, document["findings"]) == (0, [])
    assert [s["rule"] for s in document["suppressed"]] == ["RP209"]
    assert document["plans"][0]["notes"] == [
        "the API server refuses the update: RP209 spec.replicas (negative-value)"
    ]


def test_a_rejected_deployment_without_a_previous_version_is_not_planned(
    run_cli: RunCli, tmp_path: Path
) -> None:
    paths = write(tmp_path, new=deployment(replicas=-2))
    code, document = json_run(run_cli, "plan", paths["new"])
    assert (code, document["plans"]) == (1, [])
    other = write(tmp_path, unrelated=deployment().replace("name: web", "name: api"))
    code, document = json_run(run_cli, "plan", "--previous", other["unrelated"], paths["new"])
    assert (code, document["plans"]) == (1, [])


def test_other_plans_keep_their_order_beside_a_refusal(run_cli: RunCli, tmp_path: Path) -> None:
    api = deployment().replace("name: web", "name: api")
    zed = deployment().replace("name: web", "name: zed")
    paths = write(
        tmp_path,
        old=api + "---\n" + deployment() + "---\n" + zed,
        new=api.replace("1.0.0", "2.0.0") + "---\n" + deployment(replicas=-1) + "---\n" + zed,
    )
    _, document = json_run(run_cli, "plan", "--previous", paths["old"], paths["new"])
    assert [(p["deployment"]["name"], p["change"]) for p in document["plans"]] == [
        ("api", "rollout"), ("web", "refused"), ("zed", "no-change"),
    ]  # fmt: skip


def test_a_refusal_starts_from_the_live_replica_sets(run_cli: RunCli, tmp_path: Path) -> None:
    live = (FIXTURES / "plans" / "live-hello-server.yaml").read_text()
    # the Deployment comes first: its selector, then its template's labels
    new = live.replace("app: hello-server", "app: hello", 2)
    paths = write(tmp_path, old=live, new=new)
    _, document = json_run(run_cli, "plan", "--previous", paths["old"], paths["new"])
    (plan,) = document["plans"]
    assert (plan["change"], plan["steps"]) == ("refused", [])
    assert plan["start"] == {"old": 4, "new": 0, "available": 3}  # 3 of 1.0, 1 of 1.3
    assert plan["final"] == {"old": 4, "new": 0, "available": 3, "upToDate": 0}
    assert plan["notes"] == [
        "starts from the live state of 2 ReplicaSet(s) in the inputs", REFUSED_SELECTOR,
    ]  # fmt: skip


GIT_ENV = {
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
}  # fmt: skip


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV})  # fmt: skip


@pytest.mark.parametrize(
    ("new", "rule", "note"),
    [
        (deployment(app="web2"), "RP205", REFUSED_SELECTOR),
        (
            deployment(replicas=-3),
            "RP209",
            "the API server refuses the update: RP209 spec.replicas (negative-value)",
        ),
    ],
    ids=["selector", "invalid-value"],
)
def test_check_base_plans_a_refused_update(
    run_cli: RunCli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    new: str,
    rule: str,
    note: str,
) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "deploy").mkdir()
    manifest = tmp_path / "deploy" / "web.yaml"
    manifest.write_text(deployment() + "---\n" + SERVICE.format(selector="tier: frontend"))
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")
    monkeypatch.chdir(tmp_path)
    manifest.write_text(new + "---\n" + SERVICE.format(selector="tier: frontend"))
    code, document = json_run(run_cli, "check", "--base", "HEAD", "deploy")
    assert code == 1
    assert [f["rule"] for f in document["findings"]] == [rule]
    (plan,) = document["plans"]
    assert (plan["file"], plan["outcome"], plan["services"]) == ("deploy/web.yaml", "refused", [])
    assert note in plan["notes"]
