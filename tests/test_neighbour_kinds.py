"""HorizontalPodAutoscaler, ResourceQuota, LimitRange and PodDisruptionBudget (issue 16): read
from files and from live List output, validated like the other kinds, counted in the summary,
typed and kept with a file's results, and related to Deployments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rolloutplan.analysis.neighbours import (
    autoscalers_of,
    budgets_of,
    limit_ranges_of,
    quotas_of,
)
from rolloutplan.collect import Collected, Config, collect
from rolloutplan.inputs import read_sources
from rolloutplan.model.cluster import (
    HorizontalPodAutoscaler,
    LimitRange,
    PodDisruptionBudget,
    ResourceQuota,
    ScaleTarget,
)
from rolloutplan.model.objects import Deployment, IntOrPercent
from rolloutplan.tally import freeze, thaw
from tests.conftest import FIXTURES, RunCli

NEIGHBOURS = FIXTURES / "neighbours"
VERSIONS = [f"1.{minor}" for minor in range(30, 38)]
HPA = """apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  maxReplicas: 5
"""


def test_valid_manifests_of_each_kind_lint_clean_and_are_counted(run_cli: RunCli) -> None:
    result = run_cli("lint", NEIGHBOURS)
    assert result.exit_code == 0
    # the walkthrough's Deployment keeps `replicas: 1` beside its autoscaler: RP317 only
    *findings, summary = result.stdout.splitlines()
    assert [line.split()[2] for line in findings] == ["RP317"]
    assert summary == (
        "5 files, 12 objects checked (Deployment 1, HorizontalPodAutoscaler 2, LimitRange 2, "
        "PodDisruptionBudget 3, ResourceQuota 4). 0 errors, 1 warning, 0 info."
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_every_version_has_schemas_for_the_four_kinds(run_cli: RunCli, version: str) -> None:
    result = run_cli("lint", "--format", "json", "--kubernetes-version", version, NEIGHBOURS)
    report = json.loads(result.stdout)
    assert [f["rule"] for f in report["findings"]] == ["RP317"]  # see the test above
    assert set(report["summary"]["checked"]) >= {
        "HorizontalPodAutoscaler", "ResourceQuota", "LimitRange", "PodDisruptionBudget",
    }  # fmt: skip


@pytest.mark.parametrize("version", VERSIONS)
def test_a_misspelt_field_is_an_unknown_field_in_every_version(
    run_cli: RunCli, tmp_path: Path, version: str
) -> None:
    path = tmp_path / "hpa.yaml"
    path.write_text(HPA.replace("maxReplicas: 5", "maxReplica: 5"), encoding="utf-8")
    result = run_cli("lint", "--format", "json", "--kubernetes-version", version, path)
    found = {(f["rule"], f["field"], f["line"]) for f in json.loads(result.stdout)["findings"]}
    assert ("RP102", "spec.maxReplica", 10) in found
    assert ("RP101", "spec.maxReplicas", 5) in found  # required; reported at spec


def test_an_invalid_object_gives_file_line_field_and_the_servers_words(
    run_cli: RunCli, tmp_path: Path
) -> None:
    path = tmp_path / "hpa.yaml"
    path.write_text(HPA.replace("maxReplicas: 5", "minReplicas: 4\n  maxReplicas: 2"), "utf-8")
    result = run_cli("lint", path)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"{path}:11:16: error RP276 spec.maxReplicas: Invalid value: 2: must be greater than or "
        "equal to `minReplicas` [HorizontalPodAutoscaler default/web]"
    )


def test_a_pdb_name_only_has_to_fit_in_a_url_and_its_selector_is_checked(
    run_cli: RunCli, tmp_path: Path
) -> None:
    path = tmp_path / "pdb.yaml"
    path.write_text(
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: Web_Budget\n"
        "spec:\n  maxUnavailable: 1\n  selector:\n    matchExpressions:\n    - key: app\n"
        "      operator: in\n      values: [web]\n",
        encoding="utf-8",
    )
    findings = json.loads(run_cli("lint", "--format", "json", path).stdout)["findings"]
    assert [(f["rule"], f["field"], f["line"]) for f in findings] == [
        ("RP207", "spec.selector.matchExpressions[0].operator", 10)
    ]


def test_old_api_versions(run_cli: RunCli, tmp_path: Path) -> None:
    """autoscaling/v1 is still served (skipped, as unchecked); policy/v1beta1 is not."""
    path = tmp_path / "old.yaml"
    path.write_text(
        "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\n"
        "spec:\n  scaleTargetRef: {kind: Deployment, name: web}\n  maxReplicas: 3\n"
        "  targetCPUUtilizationPercentage: 80\n---\n"
        "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n"
        "spec:\n  minAvailable: 1\n",
        encoding="utf-8",
    )
    result = run_cli("lint", path)
    assert result.stdout.splitlines() == [
        f"{path}:10:13: error RP013 apiVersion: PodDisruptionBudget is not served as "
        "policy/v1beta1 by any supported Kubernetes version; use apiVersion: policy/v1 "
        "[PodDisruptionBudget default/web]",
        "1 file, 1 object checked (PodDisruptionBudget 1); 1 skipped "
        "(HorizontalPodAutoscaler 1). 1 error, 0 warnings, 0 info.",
    ]


def test_a_change_of_quota_scopes_is_refused_on_update(run_cli: RunCli, tmp_path: Path) -> None:
    quota = (
        "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\nspec:\n"
        '  hard:\n    pods: "5"\n  scopes: [{scope}]\n'
    )
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(quota.format(scope="BestEffort"), encoding="utf-8")
    new.write_text(quota.format(scope="NotBestEffort"), encoding="utf-8")
    findings = json.loads(run_cli("lint", "--format", "json", "--previous", old, new).stdout)[
        "findings"
    ]
    assert [(f["rule"], f["field"], f["line"]) for f in findings] == [("RP205", "spec.scopes", 8)]
    assert "BestEffort" in findings[0]["message"] and "NotBestEffort" in findings[0]["message"]


def _collected(paths: list[Path]) -> Collected:
    sources, _ = read_sources([str(p) for p in paths])
    return collect(sources, Config(kubernetes_version="1.37"), None)  # type: ignore[arg-type]


def _objects(paths: list[Path]) -> list[object]:
    return list(_collected(paths).tally.objects)


def test_live_list_output_is_typed_with_its_status() -> None:
    objects = _objects([NEIGHBOURS / "live-list.yaml"])
    hpa, quota, limits, budget = objects
    assert isinstance(hpa, HorizontalPodAutoscaler)
    assert hpa.target == ScaleTarget("apps/v1", "Deployment", "web")
    assert (hpa.min_replicas, hpa.max_replicas) == (2, 8)
    assert (hpa.current_replicas, hpa.desired_replicas) == (3, 3)
    assert isinstance(quota, ResourceQuota)
    assert quota.hard == (("limits.cpu", "4"), ("pods", "12"), ("requests.cpu", "2"))
    assert quota.used == (("limits.cpu", "1500m"), ("pods", "3"), ("requests.cpu", "600m"))
    assert isinstance(limits, LimitRange)
    assert limits.limits[0].default == (("cpu", "500m"), ("memory", "256Mi"))
    assert isinstance(budget, PodDisruptionBudget)
    assert budget.max_unavailable == IntOrPercent(1) and budget.min_available is None


def test_limit_range_items_carry_the_servers_defaults() -> None:
    (limits,) = _objects([NEIGHBOURS / "limitrange-cpu-defaults.yaml"])
    assert isinstance(limits, LimitRange)
    container, pod, claim = limits.limits
    # default from max where none is given; defaultRequest from default, then min
    assert container.default == (("cpu", "500m"), ("memory", "1Gi"))
    assert container.default_request == (("cpu", "500m"), ("memory", "1Gi"))
    assert pod.default == () and claim.type == "PersistentVolumeClaim"


def test_the_typed_objects_are_stored_with_a_files_results() -> None:
    """What the result cache and the worker processes carry: a file's results, frozen and
    thawed, give the same typed objects."""
    paths = sorted(NEIGHBOURS.glob("*.yaml"))
    collected = _collected(paths)
    for source_path, part in zip(collected.paths, collected.parts, strict=True):
        stored = thaw(freeze(part), None, source_path)
        assert list(stored.objects) == list(part.objects)
    kinds = {type(o).__name__ for o in collected.tally.objects}
    assert kinds >= {
        "HorizontalPodAutoscaler",
        "ResourceQuota",
        "LimitRange",
        "PodDisruptionBudget",
    }


def test_relations_to_a_deployment() -> None:
    objects = _objects([NEIGHBOURS / "hpa-php-apache.yaml", NEIGHBOURS / "live-list.yaml"])
    deployment = next(o for o in objects if isinstance(o, Deployment))
    others = [o for o in objects if not isinstance(o, Deployment)]
    hpas = [o for o in others if isinstance(o, HorizontalPodAutoscaler)]
    assert [h.ref.name for h in autoscalers_of(deployment, hpas)] == ["php-apache"]
    shop = deployment.__class__(**{**_fields(deployment), "ref": hpas[1].ref.__class__(
        "Deployment", "shop", "web")})  # fmt: skip
    assert [h.ref.name for h in autoscalers_of(shop, hpas)] == ["web"]
    quotas = [o for o in others if isinstance(o, ResourceQuota)]
    ranges = [o for o in others if isinstance(o, LimitRange)]
    budgets = [o for o in others if isinstance(o, PodDisruptionBudget)]
    assert [q.ref.name for q in quotas_of(shop, quotas)] == ["compute"]
    assert quotas_of(deployment, quotas) == ()
    assert [r.ref.name for r in limit_ranges_of(shop, ranges)] == ["defaults"]
    assert budgets_of(shop, budgets) == ()  # the template's labels are run: php-apache
    web = shop.__class__(**{**_fields(shop), "template": shop.template.__class__(
        labels=(("app", "web"),), containers=shop.template.containers)})  # fmt: skip
    assert [b.ref.name for b in budgets_of(web, budgets)] == ["web"]


def _fields(obj: object) -> dict[str, object]:
    return {name: getattr(obj, name) for name in obj.__slots__}  # type: ignore[attr-defined]


TOLERANT_HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 5
  behavior:
    scaleUp: {tolerance: "-0.001"}
    scaleDown: {tolerance: 0.05}
"""


def _tolerance_findings(
    run_cli: RunCli, tmp_path: Path, version: str, text: str, *previous: Path
) -> list[tuple[str, str, str]]:
    path = tmp_path / "hpa.yaml"
    path.write_text(text, "utf-8")
    options = [arg for p in previous for arg in ("--previous", str(p))]
    result = run_cli("lint", "--format", "json", "--no-cache", "--kubernetes-version", version,
                     *options, path)  # fmt: skip
    return [(f["rule"], f["field"], f["message"]) for f in json.loads(result.stdout)["findings"]]


@pytest.mark.parametrize("version", ["1.35", "1.37"])
def test_a_negative_tolerance_is_refused_where_the_gate_is_on(
    run_cli: RunCli, tmp_path: Path, version: str
) -> None:
    assert _tolerance_findings(run_cli, tmp_path, version, TOLERANT_HPA) == [
        ("RP278", "spec.behavior.scaleUp.tolerance",
         'Invalid value: "-0.001": must be greater or equal to zero'),
    ]  # fmt: skip


@pytest.mark.parametrize("version", ["1.33", "1.34"])
def test_with_the_gate_off_the_server_drops_a_new_tolerance_and_refuses_nothing(
    run_cli: RunCli, tmp_path: Path, version: str
) -> None:
    """HPAConfigurableTolerance is alpha (off) in 1.33 and 1.34: the strategy drops each
    tolerance on create; on an update of an object that has one, it keeps and validates it."""
    assert _tolerance_findings(run_cli, tmp_path, version, TOLERANT_HPA) == []
    before = tmp_path / "before"
    before.mkdir()
    (before / "hpa.yaml").write_text(TOLERANT_HPA.replace('"-0.001"', "0.1"), "utf-8")
    assert [f[:2] for f in _tolerance_findings(run_cli, tmp_path, version, TOLERANT_HPA, before)] \
        == [("RP278", "spec.behavior.scaleUp.tolerance")]  # fmt: skip
    untolerant = before / "hpa.yaml"
    untolerant.write_text(TOLERANT_HPA.split("  behavior:")[0], "utf-8")
    assert _tolerance_findings(run_cli, tmp_path, version, TOLERANT_HPA, before) == []


def test_a_tolerance_that_is_no_quantity_is_refused_whatever_the_gate(
    run_cli: RunCli, tmp_path: Path
) -> None:
    text = TOLERANT_HPA.replace('"-0.001"', '"5 percent"')
    for version in ("1.33", "1.37"):
        (found,) = _tolerance_findings(run_cli, tmp_path, version, text)
        assert found[:2] == ("RP278", "spec.behavior.scaleUp.tolerance")
        assert found[2].startswith('Invalid value: "5 percent": quantities must match')


def test_before_1_33_a_tolerance_is_an_unknown_field(run_cli: RunCli, tmp_path: Path) -> None:
    found = _tolerance_findings(run_cli, tmp_path, "1.32", TOLERANT_HPA)
    assert [f[:2] for f in found] == [
        ("RP102", "spec.behavior.scaleUp.tolerance"),
        ("RP102", "spec.behavior.scaleDown.tolerance"),
    ]
