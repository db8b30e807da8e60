"""What changed per Deployment (issue 13, item 3): the plan header's ``changed:`` block and
the JSON ``changes`` array, computed from the previous version or the live old pods."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.objects import (
    Container,
    Deployment,
    DeploymentStrategy,
    IntOrPercent,
    LabelSelector,
    PodTemplate,
    Probe,
    StrategyType,
)
from rolloutplan.planner.changes import FieldChange, deployment_changes
from tests.conftest import FIXTURES, RunCli
from tests.report.test_json_schema import assert_valid

BASE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: app
        image: example.com/web:1.0.0
        env:
        - name: LOG_LEVEL
          value: info
        - name: API_TOKEN
          value: tok-0ld-s3cret
        resources:
          requests: {cpu: 100m, memory: 64Mi}
"""


def plan_of(run_cli: RunCli, tmp_path: Path, old: str, new: str) -> tuple[str, dict[str, Any]]:
    """The text output and the JSON plan of ``new`` planned as an update of ``old``."""
    (tmp_path / "old.yaml").write_text(old)
    (tmp_path / "new.yaml").write_text(new)
    args = ["--previous", tmp_path / "old.yaml", tmp_path / "new.yaml"]
    text = run_cli("plan", *args).stdout
    document = json.loads(run_cli("plan", "--format", "json", *args).stdout)
    assert_valid(document)
    (plan,) = document["plans"]
    return text, plan


def changed_block(text: str) -> list[str]:
    """The changes the ``changed:`` block lists, one a line, without the column."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("  changed:"))
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith(" " * 19):
            break
        block.append(line)
    return [line[19:] for line in block]


def test_an_image_and_replicas_change_shows_both(run_cli: RunCli, tmp_path: Path) -> None:
    new = BASE.replace("replicas: 3", "replicas: 6").replace("web:1.0.0", "web:1.1.0")
    text, plan = plan_of(run_cli, tmp_path, BASE, new)
    assert changed_block(text) == [
        "image app: example.com/web:1.0.0 -> example.com/web:1.1.0",
        "replicas: 3 -> 6",
    ]
    assert "scale-then-rollout, RollingUpdate, 6 replicas\n  changed:         image app" in text
    assert plan["changes"] == [
        {"what": "image app", "before": "example.com/web:1.0.0", "after": "example.com/web:1.1.0"},
        {"what": "replicas", "before": "3", "after": "6"},
    ]


def test_env_values_are_never_shown(run_cli: RunCli, tmp_path: Path) -> None:
    extra = "        - name: EXTRA\n          value: n3w-v4lue\n"
    new = BASE.replace("tok-0ld-s3cret", "tok-n3w-s3cret").replace(
        "        resources:", extra + "        resources:"
    )
    text, plan = plan_of(run_cli, tmp_path, BASE, new)
    assert changed_block(text) == ["env app API_TOKEN: changed", "env app EXTRA: added"]
    assert plan["changes"] == [
        {"what": "env app API_TOKEN", "before": "(not shown)", "after": "(not shown)"},
        {"what": "env app EXTRA", "before": "", "after": "(not shown)"},
    ]
    shown = text + json.dumps(plan)
    assert "s3cret" not in shown and "n3w-v4lue" not in shown


def test_probes_added_and_changed_are_named(run_cli: RunCli, tmp_path: Path) -> None:
    probe = "        readinessProbe:\n          httpGet: {path: /healthz, port: 8080}\n"
    with_probe = BASE + probe
    text, _ = plan_of(run_cli, tmp_path, BASE, with_probe)
    assert changed_block(text) == ["readinessProbe app: httpGet 8080 (added)"]
    # the path is not kept, so the change is said without values; timings are shown
    moved = with_probe.replace("/healthz", "/ready")
    text, _ = plan_of(run_cli, tmp_path, with_probe, moved)
    assert changed_block(text) == ["readinessProbe app: changed"]
    slower = with_probe.replace("port: 8080}", "port: 8080}\n          periodSeconds: 5")
    text, _ = plan_of(run_cli, tmp_path, with_probe, slower)
    assert changed_block(text) == [
        "readinessProbe app: httpGet 8080, periodSeconds 10 -> httpGet 8080, periodSeconds 5"
    ]
    text, _ = plan_of(run_cli, tmp_path, slower, BASE)
    assert changed_block(text) == ["readinessProbe app: httpGet 8080 (removed)"]


def test_resources_strategy_and_labels(run_cli: RunCli, tmp_path: Path) -> None:
    new = (
        BASE.replace("cpu: 100m", "cpu: 250m")
        .replace("memory: 64Mi}", "memory: 64Mi}\n          limits: {memory: 128Mi}")
        .replace("  selector:", "  strategy:\n    rollingUpdate: {maxSurge: 1}\n  selector:")
        .replace("        app: web\n    spec:", "        app: web\n        v: '2'\n    spec:")
        .replace("  replicas: 3", "  replicas: 3\n  minReadySeconds: 10")
    )
    text, plan = plan_of(run_cli, tmp_path, BASE, new)
    assert changed_block(text) == [
        "maxSurge: 25% -> 1",
        "minReadySeconds: 0 -> 10",
        "requests.cpu app: 100m -> 250m",
        "limits.memory app: 128Mi (added)",
        "pod label v: 2 (added)",
    ]
    assert [c["what"] for c in plan["changes"]] == [
        "maxSurge", "minReadySeconds", "requests.cpu app", "limits.memory app", "pod label v",
    ]  # fmt: skip


def test_containers_added_and_removed(run_cli: RunCli, tmp_path: Path) -> None:
    old = BASE.replace(
        "      containers:",
        "      initContainers:\n      - name: migrate\n        image: example.com/migrate:1\n"
        "      containers:",
    )
    new = BASE + "      - name: proxy\n        image: example.com/proxy:2\n"
    text, _ = plan_of(run_cli, tmp_path, old, new)
    assert changed_block(text) == [
        "container proxy: example.com/proxy:2 (added)",
        "container migrate (init): example.com/migrate:1 (removed)",
    ]


def test_a_strategy_switch_is_one_line(run_cli: RunCli, tmp_path: Path) -> None:
    new = BASE.replace("  selector:", "  strategy:\n    type: Recreate\n  selector:")
    text, _ = plan_of(run_cli, tmp_path, BASE, new)
    assert changed_block(text) == ["strategy: RollingUpdate -> Recreate"]


def test_without_a_previous_version_nothing_is_listed(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "new.yaml").write_text(BASE)
    result = run_cli("plan", tmp_path / "new.yaml")
    assert "changed:" not in result.stdout
    document = json.loads(run_cli("plan", "--format", "json", tmp_path / "new.yaml").stdout)
    assert document["plans"][0]["changes"] == []


def test_an_unchanged_deployment_lists_nothing(run_cli: RunCli, tmp_path: Path) -> None:
    text, plan = plan_of(run_cli, tmp_path, BASE, BASE)
    assert (plan["change"], plan["changes"]) == ("no-change", [])
    assert "changed:" not in text


def test_live_replica_sets_give_the_template_changes(run_cli: RunCli) -> None:
    """From the old pods' template (the 1.0 ReplicaSet, which has the most pods): template
    fields only, and never the controller's pod-template-hash label."""
    live = FIXTURES / "plans" / "live-hello-server.yaml"
    result = run_cli("plan", live)
    assert changed_block(result.stdout) == [
        "image hello-server: blux2/hello-server:1.0 -> blux2/hello-server:1.2"
    ]
    document = json.loads(run_cli("plan", "--format", "json", live).stdout)
    assert [c["what"] for c in document["plans"][0]["changes"]] == ["image hello-server"]


def test_a_refused_update_lists_what_it_would_have_changed(run_cli: RunCli, tmp_path: Path) -> None:
    new = BASE.replace("app: web", "app: web2").replace("replicas: 3", "replicas: 4")
    text, plan = plan_of(run_cli, tmp_path, BASE, new)
    assert plan["outcome"] == "refused"
    assert changed_block(text) == [
        "replicas: 3 -> 4",
        "pod label app: web -> web2",
        "selector: app=web -> app=web2",
    ]


# Pure: the same two versions always give the same changes, and a version compared with
# itself gives none.

NAMES = st.sampled_from(["app", "proxy", "init"])
CONTAINERS = st.builds(
    Container,
    name=NAMES,
    image=st.sampled_from(["a:1", "a:2", "b:1"]),
    readiness_probe=st.one_of(st.none(), st.builds(Probe, st.just("httpGet"), st.just(80))),
    requests=st.sampled_from([(), (("cpu", "1"),), (("cpu", "2"), ("memory", "1Gi"))]),
    env=st.sampled_from([(), (("A", "x"),), (("A", "y"), ("B", "x"))]),
)


def unique(containers: list[Container]) -> tuple[Container, ...]:
    return tuple({c.name: c for c in containers}.values())


DEPLOYMENTS = st.builds(
    Deployment,
    ref=st.just(ObjectRef("Deployment", "default", "web")),
    replicas=st.integers(0, 5),
    selector=st.sampled_from([LabelSelector((("app", "web"),)), LabelSelector()]),
    template=st.builds(
        PodTemplate,
        labels=st.sampled_from([(("app", "web"),), (("app", "web"), ("v", "2"))]),
        containers=st.lists(CONTAINERS, max_size=3).map(unique),
        init_containers=st.lists(CONTAINERS, max_size=2).map(unique),
    ),
    strategy=st.sampled_from(
        [
            DeploymentStrategy(),
            DeploymentStrategy(StrategyType.RECREATE, None, None),
            DeploymentStrategy(max_surge=IntOrPercent(1)),
        ]
    ),
    min_ready_seconds=st.sampled_from([0, 10]),
)


@given(DEPLOYMENTS, DEPLOYMENTS)
def test_changes_are_deterministic_and_symmetric(before: Deployment, after: Deployment) -> None:
    assert deployment_changes(before, before) == ()
    changes = deployment_changes(before, after)
    assert changes == deployment_changes(before, after)
    assert len({c.what for c in changes}) == len(changes)  # each fact once
    assert all(isinstance(c, FieldChange) and (c.before or c.after) for c in changes)
    backwards = {(c.what, c.after, c.before) for c in deployment_changes(after, before)}
    assert backwards == {(c.what, c.before, c.after) for c in changes}
