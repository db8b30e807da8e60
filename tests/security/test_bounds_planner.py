"""Bounded work for any input (issue 11): plans, diagrams, quantities, int32 fields and the
replica annotations, each through the CLI.  Work is bounded by construction; the tests
assert on structure (step counts, findings), never on time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rolloutplan.planner.simulate import MAX_STEPS
from tests.conftest import RunCli

INT32 = 2**31 - 1


def deployment(
    replicas: object = 3,
    surge: object = 1,
    unavailable: object = 0,
    cpu: str = "100m",
    image: str = "example.com/web:2",
) -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  strategy:
    rollingUpdate:
      maxSurge: {surge}
      maxUnavailable: {unavailable}
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
        image: {image}
        resources:
          requests:
            cpu: "{cpu}"
"""


def replica_set(
    name: str, spec: int, image: str, available: int, pods: int, desired: str = "3"
) -> str:
    return f"""apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: {name}
  labels:
    app: web
    pod-template-hash: {name}
  annotations:
    deployment.kubernetes.io/desired-replicas: {json.dumps(desired)}
    deployment.kubernetes.io/max-replicas: "4"
  ownerReferences:
  - apiVersion: apps/v1
    kind: Deployment
    name: web
    uid: 6f1c2d3e-0000-4000-8000-000000000001
    controller: true
spec:
  replicas: {spec}
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
        image: {image}
        resources:
          requests:
            cpu: "100m"
status:
  replicas: {pods}
  availableReplicas: {available}
"""


def write(tmp_path: Path, *documents: str) -> Path:
    path = tmp_path / "manifest.yaml"
    path.write_text("---\n".join(documents), encoding="utf-8")
    return path


def plan_json(run_cli: RunCli, path: Path, *args: str) -> dict[str, Any]:
    result = run_cli("plan", "--format", "json", "--no-cache", *args, path)
    assert result.exit_code in (0, 1), result.stdout
    return json.loads(result.stdout)


def rules(document: dict[str, Any]) -> set[str]:
    return {finding["rule"] for finding in document["findings"]}


def test_int32_max_replicas_plan_is_exact_and_shortened(run_cli: RunCli, tmp_path: Path) -> None:
    document = plan_json(run_cli, write(tmp_path, deployment(INT32)))
    (plan,) = document["plans"]
    assert len(plan["steps"]) <= MAX_STEPS
    assert [s["kind"] for s in plan["steps"]].count("repeat") == 1
    assert (plan["outcome"], plan["waves"]) == ("complete", INT32)
    assert plan["final"] == {"old": 0, "new": INT32, "available": INT32, "upToDate": INT32}
    assert (plan["peakPods"], plan["minAvailablePods"]) == (INT32 + 1, INT32)
    assert "RP316" in rules(document)


def test_int32_max_replicas_text_shows_the_repeat_step(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("check", "--no-cache", write(tmp_path, deployment(INT32, 3, 2)))
    assert result.exit_code == 0
    assert "more times (old -5, new +5 each time)" in result.stdout
    assert "RP316" in result.stdout
    assert result.stdout.count("\n") < 2 * MAX_STEPS


def test_ten_thousand_replicas_are_still_planned_step_by_step(
    run_cli: RunCli, tmp_path: Path
) -> None:
    document = plan_json(run_cli, write(tmp_path, deployment(10_000)))
    (plan,) = document["plans"]
    assert len(plan["steps"]) == 30_000
    assert {s["kind"] for s in plan["steps"]} == {"scale", "wait"}
    assert "RP316" not in rules(document)


def test_diagram_of_a_huge_live_available_count_is_bounded(run_cli: RunCli, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        deployment(3),
        replica_set("web-old", 3, "example.com/web:1", INT32, 3),
    )
    result = run_cli("plan", "--no-cache", "--diagram", path)
    assert result.exit_code == 0
    assert len(result.stdout) < 20_000
    assert f"■x{INT32}" in result.stdout


@pytest.mark.parametrize(
    ("cpu", "peak"),  # the requests of the 4 pods at the peak (3 replicas, 25% surge)
    # printed as Quantity.String() prints the sum: in the format of the value written
    [
        ("1e99999999", "40e999"),  # beyond 10^1000 counts as 10^1000; e<multiple of 3>
        ("1e309", "4e309"),
        ("-1e309", None),
        ("1e-99999999", "4e-9"),  # rounded up to one nano-core
        ("9" * 5000, "4" + "0" * 1000),  # beyond the largest suffix (E): every digit
    ],
)
def test_quantities_with_huge_exponents_are_bounded(
    run_cli: RunCli, tmp_path: Path, cpu: str, peak: str | None
) -> None:
    path = write(tmp_path, deployment(3, cpu=cpu))
    lint = run_cli("lint", "--no-cache", path)
    assert lint.exit_code in (0, 1)
    document = plan_json(run_cli, path)
    if peak is None:
        assert "RP211" in rules(document) or not document["plans"]
    else:
        (plan,) = document["plans"]
        assert plan["peakPods"] == 4
        assert plan["peakRequests"]["cpu"] == peak


def test_a_unicode_digit_quantity_is_not_a_quantity(run_cli: RunCli, tmp_path: Path) -> None:
    document = plan_json(run_cli, write(tmp_path, deployment(3, cpu="\uff13")))
    assert document["plans"] == []
    assert any("quantities must match" in f["message"] for f in document["findings"])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("replicas", 3_000_000_000),
        ("surge", 3_000_000_000),
        ("unavailable", -3_000_000_000),
        ("replicas", "1e10"),
    ],
)
def test_numbers_beyond_int32_are_rejected_as_the_api_server_decodes(
    run_cli: RunCli, tmp_path: Path, field: str, value: object
) -> None:
    document = plan_json(run_cli, write(tmp_path, deployment(**{field: value})))
    messages = [f["message"] for f in document["findings"] if f["rule"] == "RP101"]
    assert any("cannot unmarshal number" in m and "int32" in m for m in messages), messages
    assert document["plans"] == []


def test_int64_and_port_fields_are_checked_too(run_cli: RunCli, tmp_path: Path) -> None:
    text = (
        deployment(3).replace(
            "      containers:\n",
            "      terminationGracePeriodSeconds: 9223372036854775808\n      containers:\n",
        )
        + "        ports:\n        - containerPort: 4294967376\n"
    )
    result = run_cli("lint", "--no-cache", "--format", "json", write(tmp_path, text))
    fields = {
        f["field"]: f["message"]
        for f in json.loads(result.stdout)["findings"]
        if f["rule"] == "RP101"
    }
    assert "int64" in fields["spec.template.spec.terminationGracePeriodSeconds"]
    assert "int32" in fields["spec.template.spec.containers[0].ports[0].containerPort"]


def test_a_live_replica_set_beyond_int32_is_not_planned(run_cli: RunCli, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        deployment(3),
        replica_set("web-old", 3, "example.com/web:1", 3, 3).replace(
            "availableReplicas: 3", "availableReplicas: 4294967296"
        ),
    )
    document = plan_json(run_cli, path)
    (plan,) = document["plans"]
    assert "live state" not in " ".join(plan["notes"])
    assert "RP101" in rules(document)


@pytest.mark.parametrize(
    ("desired", "outcome"),
    [
        *(
            (text, "complete")
            for text in ["\uff13", "\u00b2", "1" * 4301, " 3", "3_0", "+3", "0003"]
        ),
        # Atoi parses these, and int32() wraps the first: a replicas change the controller
        # sees on every sync but cannot act on (one active ReplicaSet already at 3)
        ("3000000000", "stalled"),
        ("-3", "stalled"),
    ],
)
def test_replica_annotations_parse_as_strconv_atoi(
    run_cli: RunCli, tmp_path: Path, desired: str, outcome: str
) -> None:
    path = write(
        tmp_path,
        deployment(3),
        replica_set("web-old", 3, "example.com/web:1", 3, 3, desired=desired),
    )
    (plan,) = plan_json(run_cli, path)["plans"]
    assert plan["outcome"] == outcome


@st.composite
def manifests(draw: st.DrawFn) -> str:
    replicas = draw(st.integers(min_value=0, max_value=INT32))
    bound = st.one_of(
        st.integers(min_value=0, max_value=INT32),
        st.integers(min_value=0, max_value=200).map(lambda p: f'"{p}%"'),
    )
    surge, unavailable = draw(bound), draw(bound)
    if surge in (0, '"0%"') and unavailable in (0, '"0%"'):
        unavailable = 1
    documents = [deployment(replicas, surge, unavailable)]
    for index in range(draw(st.integers(min_value=0, max_value=2))):
        count = st.integers(min_value=0, max_value=INT32)
        image = draw(st.sampled_from(["example.com/web:1", "example.com/web:2"]))
        documents.append(replica_set(f"web-{index}", draw(count), image, draw(count), draw(count)))
    return "---\n".join(documents)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(manifests(), st.sampled_from(["ready", "never-ready"]))
def test_any_int32_manifest_plans_within_the_step_limit(
    run_cli: RunCli, tmp_path: Path, text: str, new_pods: str
) -> None:
    path = tmp_path / "generated.yaml"
    path.write_text(text, encoding="utf-8")
    document = plan_json(run_cli, path, "--new-pods", new_pods)
    for plan in document["plans"]:
        assert len(plan["steps"]) <= MAX_STEPS
        assert plan["outcome"] in ("complete", "stalled", "no-rollout", "truncated")
        if plan["outcome"] != "truncated" and plan["change"] == "rollout":
            assert plan["final"]["new"] == plan["replicas"] or plan["outcome"] == "stalled"
