"""A plan's peakRequests (and RP306's "requesting ... more") count a pod's requests as the
API server and the scheduler do, the way the quota block of the same plan charges them:
limits copied into missing requests, sidecars added to the containers, an init container
beside the sidecars started before it when that is more, the namespace's LimitRange
defaults and the RuntimeClass's pod overhead when the inputs have them; printed as
Quantity.String() prints the sum.  Through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES, RunCli

QUOTA = FIXTURES / "quota"


def _plan(run_cli: RunCli, *args: object) -> dict[str, Any]:
    result = run_cli("plan", "--format", "json", "--no-cache", *args)
    assert result.exit_code in (0, 1), result.stdout
    (plan,) = json.loads(result.stdout)["plans"]
    return plan


def _deployment(
    resources: str, *, namespace: str = "shop", surge: str = "1", init: str = ""
) -> str:
    """3 replicas, maxSurge ``surge``, maxUnavailable 0; ``resources`` is the one
    container's resources block, ``init`` the initContainers block."""
    return (
        "apiVersion: apps/v1\nkind: Deployment\n"
        f"metadata:\n  name: web\n  namespace: {namespace}\nspec:\n  replicas: 3\n"
        f"  strategy:\n    rollingUpdate:\n      maxSurge: {surge}\n      maxUnavailable: 0\n"
        "  selector:\n    matchLabels:\n      app: web\n"
        "  template:\n    metadata:\n      labels:\n        app: web\n"
        f"    spec:\n{init}      containers:\n      - name: app\n        image: example.com/web:2\n"
        f"        resources:\n{resources}"
    )


LIMIT_RANGE = (
    "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: defaults\n  namespace: shop\n"
    "spec:\n  limits:\n  - type: Container\n    defaultRequest:\n      cpu: 250m\n"
    "      memory: 64Mi\n"
)


def _write(tmp_path: Path, *documents: str) -> Path:
    path = tmp_path / "manifest.yaml"
    path.write_text("---\n".join(documents), encoding="utf-8")
    return path


def test_sidecars_count_as_the_quota_counts_them(run_cli: RunCli) -> None:
    plan = _plan(run_cli, QUOTA / "sidecar-charge.yaml")
    per_pod = plan["quota"]["perPod"]
    assert (per_pod["cpu"], per_pod["memory"]) == ("1250m", "1280Mi")
    # 3 pods at the peak (the quota lets only 2 exist): 3 x 1250m, 3 x 1280Mi
    assert plan["peakPods"] == 3
    assert plan["peakRequests"] == {"cpu": "3750m", "memory": "3840Mi"}


def test_limits_without_requests_are_the_requests(run_cli: RunCli, tmp_path: Path) -> None:
    limits = "          limits:\n            cpu: 2\n            memory: 1Gi\n"
    plan = _plan(run_cli, _write(tmp_path, _deployment(limits)))
    assert plan["peakPods"] == 4
    assert plan["peakRequests"] == {"cpu": "8", "memory": "4Gi"}
    text = run_cli("plan", "--no-cache", tmp_path / "manifest.yaml").stdout
    assert "peak pods 4 (requests cpu 8, memory 4Gi)" in text


def test_a_request_set_wins_over_the_limit(run_cli: RunCli, tmp_path: Path) -> None:
    both = "          requests:\n            cpu: 100m\n          limits:\n            cpu: 2\n"
    plan = _plan(run_cli, _write(tmp_path, _deployment(both)))
    assert plan["peakRequests"] == {"cpu": "400m"}


def test_amounts_print_as_kubernetes_prints_them(run_cli: RunCli, tmp_path: Path) -> None:
    tiny = "          requests:\n            cpu: 1n\n            memory: 0.2\n"
    plan = _plan(run_cli, _write(tmp_path, _deployment(tiny)))
    assert plan["peakRequests"] == {"cpu": "4n", "memory": "800m"}  # not 4e-09, 0.8
    exponent = "          requests:\n            memory: '1e3'\n"
    plan = _plan(run_cli, _write(tmp_path, _deployment(exponent)))
    assert plan["peakRequests"] == {"memory": "4e3"}  # the format of the quantity written
    plain = "          requests:\n            memory: '1048576'\n"
    plan = _plan(run_cli, _write(tmp_path, _deployment(plain)))
    assert plan["peakRequests"] == {"memory": "4194304"}  # decimal, as written: not 4Mi


def test_a_limit_range_in_the_inputs_fills_in_the_requests(run_cli: RunCli, tmp_path: Path) -> None:
    unset = "          limits:\n            memory: 128Mi\n"
    alone = _plan(run_cli, _write(tmp_path, _deployment(unset)))
    assert alone["peakRequests"] == {"memory": "512Mi"}  # no LimitRange: nothing assumed
    # no quota in the inputs: the LimitRange still sets what the scheduler counts; the
    # limit copied into the request wins over its defaultRequest
    plan = _plan(run_cli, _write(tmp_path, LIMIT_RANGE, _deployment(unset)))
    assert "quota" not in plan
    assert plan["peakRequests"] == {"cpu": "1", "memory": "512Mi"}
    elsewhere = _plan(run_cli, _write(tmp_path, LIMIT_RANGE, _deployment(unset, namespace="x")))
    assert elsewhere["peakRequests"] == {"memory": "512Mi"}


def test_the_runtime_class_overhead_counts_when_the_inputs_have_it(run_cli: RunCli) -> None:
    plan = _plan(run_cli, QUOTA / "runtime-overhead.yaml")
    # (500m + 1500m of limits, + 250m overhead) x 3; (100Mi + 100Mi + 120Mi) x 3
    assert plan["peakRequests"] == {"cpu": "6750m", "memory": "960Mi"}


def _rp306(run_cli: RunCli, path: Path) -> list[str]:
    result = run_cli("plan", "--format", "json", "--no-cache", "--select", "RP306", path)
    return [finding["message"] for finding in json.loads(result.stdout)["findings"]]


def test_rp306_counts_limits_and_sidecars(run_cli: RunCli, tmp_path: Path) -> None:
    # 2 surge pods of 2 cores (the limit) ask for a whole 4-core node
    [message] = _rp306(run_cli, _write(tmp_path, _deployment(LIMIT_2, surge="2")))
    assert "adds up to 2 pods beyond replicas (5 in all), requesting 4 cpu more" in message
    one = "          requests:\n            cpu: 1\n"
    assert _rp306(run_cli, _write(tmp_path, _deployment(one, surge="2"))) == []
    # a sidecar of 1 core runs beside the container of 1 core: 2 per pod
    sidecar = _deployment(one, surge="2", init=SIDECAR)
    [message] = _rp306(run_cli, _write(tmp_path, sidecar))
    assert "requesting 4 cpu more" in message
    # an ordinary init container of 1 core runs before it: 1 per pod
    init = _deployment(one, surge="2", init=SIDECAR.replace("restartPolicy: Always", "tty: true"))
    assert _rp306(run_cli, _write(tmp_path, init)) == []


LIMIT_2 = "          limits:\n            cpu: 2\n"
SIDECAR = (
    "      initContainers:\n      - name: proxy\n        image: example.com/proxy:1\n"
    "        restartPolicy: Always\n        resources:\n          requests:\n"
    "            cpu: 1\n"
)


def test_pod_level_resources_are_named_in_the_notes_as_not_counted(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Pod-level spec.resources (PodLevelResources) replace the containers' sum where the
    feature is on; the plan counts the containers only, and says so."""
    text = _deployment("          requests:\n            cpu: 100m\n")
    pod_level = text.replace(
        "    spec:\n      containers:",
        '    spec:\n      resources:\n        requests:\n          cpu: "2"\n      containers:',
    )
    path = tmp_path / "web.yaml"
    note = "the pod template sets pod-level resources (spec.resources, PodLevelResources)"
    for manifest, noted in ((text, False), (pod_level, True)):
        path.write_text(manifest, "utf-8")
        plan = _plan(run_cli, path)
        assert any(n.startswith(note) for n in plan["notes"]) is noted
        assert plan["peakRequests"] == {"cpu": "400m"}
