"""A Deployment beside a HorizontalPodAutoscaler and PodDisruptionBudgets, through the CLI:
planned at the autoscaler's count (issue 16, item 2), the spec.replicas conflict (RP317),
and budgets that block evictions (RP318) or that a rollout ignores (RP319)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from ruamel.yaml import YAML

from tests.conftest import FIXTURES, ROOT, RunCli

AUTOSCALED = FIXTURES / "autoscaled"
WEB, LIVE = AUTOSCALED / "web.yaml", AUTOSCALED / "live.yaml"


def _json(run_cli: RunCli, *args: str | Path) -> dict[str, Any]:
    result = run_cli("plan", "--format", "json", "--no-cache", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _findings(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(f["rule"], f["field"], f["message"]) for f in report["findings"]]


def test_manifests_are_planned_at_both_ends_of_the_autoscalers_range(run_cli: RunCli) -> None:
    report = _json(run_cli, WEB)
    plans = report["plans"]
    assert [p["replicas"] for p in plans] == [2, 6]  # not spec.replicas 4
    assert [p["replicasFrom"] for p in plans] == [
        {"kind": "HorizontalPodAutoscaler", "name": "web", "field": f, "replicas": n}
        for f, n in (("spec.minReplicas", 2), ("spec.maxReplicas", 6))
    ]
    assert plans[0]["notes"][0] == (
        "replicas from HorizontalPodAutoscaler web: minReplicas 2, the low end of 2..6 (the "
        "inputs show no status.currentReplicas; another plan is at maxReplicas)"
    )
    assert plans[1]["notes"][0].startswith("replicas from HorizontalPodAutoscaler web: maxRepl")
    assert [(p["maxPods"], p["minAvailable"]) for p in plans] == [(3, 2), (8, 5)]
    conflict = [f for f in report["findings"] if f["rule"] == "RP317"]
    assert [(f["line"], f["column"], f["field"], f["severity"]) for f in conflict] == [
        (9, 13, "spec.replicas", "warning")
    ]
    assert "every `kubectl apply` resets the replica count to 4" in conflict[0]["message"]


def test_live_state_is_planned_at_the_autoscalers_current_replicas(run_cli: RunCli) -> None:
    report = _json(run_cli, LIVE)
    (plan,) = report["plans"]
    assert plan["replicas"] == 3
    assert plan["replicasFrom"]["field"] == "status.currentReplicas"
    assert (
        plan["notes"][0]
        == "replicas from HorizontalPodAutoscaler web: its status.currentReplicas, 3"
    )
    assert [c["what"] for c in plan["changes"]] == ["image web"]
    assert plan["final"] == {"old": 0, "new": 3, "available": 3, "upToDate": 3}


def test_the_conflict_and_the_budget_read_the_same_from_manifests_and_live_state(
    run_cli: RunCli,
) -> None:
    """Live, the server always fills spec.replicas in: the last applied manifest says
    whether `kubectl apply` sets it (here to 4, as web.yaml does)."""
    manifests, live = _json(run_cli, WEB), _json(run_cli, LIVE)
    assert (
        [f[:2] for f in _findings(manifests)]
        == [f[:2] for f in _findings(live)]
        == [
            ("RP317", "spec.replicas"),
            ("RP318", "spec.minAvailable"),
        ]
    )
    for report in (manifests, live):
        assert "resets the replica count to 4 " in report["findings"][0]["message"]
    assert "keeps all 3 pods it selects (3 of Deployment web, its HorizontalPodAutoscaler's " \
        "currentReplicas)" in live["findings"][1]["message"]  # fmt: skip


def test_a_live_list_and_its_items_as_files_give_the_same_plan(
    run_cli: RunCli, tmp_path: Path
) -> None:
    yaml = YAML(typ="safe", pure=True)
    items = yaml.load(LIVE.read_text(encoding="utf-8"))["items"]
    folder = tmp_path / "live"
    folder.mkdir()
    for number, item in enumerate(items):
        with (folder / f"{number}-{item['kind'].lower()}.yaml").open("w") as out:
            yaml.dump(item, out)
    from_list, from_files = _json(run_cli, LIVE), _json(run_cli, folder)
    for report in (from_list, from_files):
        for plan in report["plans"]:
            plan["file"] = ""
    assert from_files["plans"] == from_list["plans"]
    assert _findings(from_files) == _findings(from_list)


def test_without_spec_replicas_there_is_no_conflict_and_the_plan_is_the_same(
    run_cli: RunCli, tmp_path: Path
) -> None:
    path = tmp_path / "web.yaml"
    path.write_text(WEB.read_text(encoding="utf-8").replace("  replicas: 4\n", ""), "utf-8")
    report = _json(run_cli, path)
    assert "RP317" not in {f["rule"] for f in report["findings"]}
    assert [p["replicas"] for p in report["plans"]] == [2, 6]


def test_live_state_without_last_applied_configuration_is_no_conflict(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Server-side apply or `kubectl create`: nothing in the object says apply sets it."""
    text = LIVE.read_text(encoding="utf-8")
    start = text.index("      kubectl.kubernetes.io/last-applied-configuration")
    end = text.index("    creationTimestamp", start)
    path = tmp_path / "live.yaml"
    path.write_text(text[:start] + text[end:], "utf-8")
    report = _json(run_cli, path)
    assert [f["rule"] for f in report["findings"]] == ["RP318"]
    assert report["plans"][0]["replicas"] == 3


def test_text_markdown_and_sarif_state_the_assumption_and_the_conflict(
    run_cli: RunCli,
) -> None:
    text = run_cli("plan", "--no-cache", WEB).stdout
    assert "Deployment shop/web (" in text and ": rollout, RollingUpdate, 2 replicas" in text
    assert ": rollout, RollingUpdate, 6 replicas" in text
    assert "  note: replicas from HorizontalPodAutoscaler web: minReplicas 2, the low end" in text
    markdown = run_cli("plan", "--no-cache", "--format", "markdown", WEB).stdout
    assert f"| shop/web ({WEB}) at minReplicas 2 | rollout | complete |" in markdown
    assert f"| shop/web ({WEB}) at maxReplicas 6 | rollout | complete |" in markdown
    high = "- note: replicas from HorizontalPodAutoscaler web: maxReplicas 6, the high end"
    assert high in markdown
    assert "#rp317-replicas-with-autoscaler) replicas-with-autoscaler" in markdown
    sarif = json.loads(run_cli("plan", "--no-cache", "--format", "sarif", WEB).stdout)
    (run,) = sarif["runs"]
    results = {r["ruleId"]: r for r in run["results"]}
    assert set(results) == {"RP317", "RP318"}
    region = results["RP317"]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (9, 13)
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert rules["RP318"]["name"] == "disruption-budget-blocks-eviction"


def test_explain_documents_each_new_rule(run_cli: RunCli) -> None:
    for rule, words in (
        ("RP317", "resets the count"),
        ("RP318", "wait forever"),
        ("RP319", "does not consult PodDisruptionBudgets"),
    ):
        result = run_cli("explain", rule)
        assert result.exit_code == 0
        assert words in " ".join(result.stdout.split()), rule


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: {replicas}
  strategy: {{rollingUpdate: {{maxSurge: 1, maxUnavailable: {unavailable}}}}}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}, tier: web}}}}
    spec:
      containers: [{{name: app, image: "example.com/{name}:1.0"}}]
---
"""
BUDGET = """\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
{annotations}spec:
  {bound}
  selector: {{matchLabels: {{tier: web}}}}
"""


def _lint(run_cli: RunCli, tmp_path: Path, text: str) -> list[tuple[str, int, str]]:
    path = tmp_path / "app.yaml"
    path.write_text(text, "utf-8")
    result = run_cli("lint", "--format", "json", "--no-cache", "--select", "RP317,RP318,RP319",
                     path)  # fmt: skip
    return [(f["rule"], f["line"], f["message"]) for f in json.loads(result.stdout)["findings"]]


def _budget(bound: str, annotations: str = "") -> str:
    return BUDGET.format(bound=bound, annotations=annotations)


def test_a_budget_counts_the_pods_of_every_deployment_it_selects(
    run_cli: RunCli, tmp_path: Path
) -> None:
    two = DEPLOYMENT.format(name="a", replicas=2, unavailable=0) + DEPLOYMENT.format(
        name="b", replicas=1, unavailable=0
    )
    # 3 pods in all: minAvailable 3 blocks; 2 allows one eviction (each rollout takes none
    # down: maxUnavailable 0)
    (blocked,) = _lint(run_cli, tmp_path, two + _budget("minAvailable: 3"))
    assert blocked[:2] == ("RP318", 30)  # the budget's minAvailable
    assert "keeps all 3 pods it selects (2 of Deployment a, 1 of Deployment b)" in blocked[2]
    assert _lint(run_cli, tmp_path, two + _budget("minAvailable: 2")) == []


def test_percentages_round_up_as_the_disruption_controller_does(
    run_cli: RunCli, tmp_path: Path
) -> None:
    three = DEPLOYMENT.format(name="a", replicas=3, unavailable=0)
    assert _lint(run_cli, tmp_path, three + _budget("maxUnavailable: 10%")) == []  # 0.3 -> 1
    (blocked,) = _lint(run_cli, tmp_path, three + _budget("minAvailable: 67%"))  # 2.01 -> 3
    assert blocked[0] == "RP318"
    assert _lint(run_cli, tmp_path, three + _budget("minAvailable: 66%")) == []  # 1.98 -> 2


def test_a_budget_tighter_than_the_rollout_is_an_info_that_says_rollouts_ignore_it(
    run_cli: RunCli, tmp_path: Path
) -> None:
    eight = DEPLOYMENT.format(name="a", replicas=8, unavailable="50%")
    (info,) = _lint(run_cli, tmp_path, eight + _budget("maxUnavailable: 2"))
    assert info[0] == "RP319"
    assert info[2].startswith(
        "the rollout of Deployment a may take 4 of its 8 pods down at once, more than the 2 "
        "this budget's maxUnavailable 2 allows: a rollout does not consult "
        "PodDisruptionBudgets (the Deployment controller never does; only evictions"
    )
    assert _lint(run_cli, tmp_path, eight + _budget("maxUnavailable: 4")) == []
    # minAvailable above replicas - maxUnavailable (8 - 4 = 4)
    assert [f[0] for f in _lint(run_cli, tmp_path, eight + _budget("minAvailable: 5"))] == ["RP319"]


def test_a_budget_that_also_selects_other_workloads_pods_is_not_judged(
    run_cli: RunCli, tmp_path: Path
) -> None:
    statefulset = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache}
spec:
  serviceName: cache
  replicas: 5
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache, tier: web}}
    spec:
      containers: [{name: app, image: "example.com/cache:1.0"}]
---
"""
    three = DEPLOYMENT.format(name="a", replicas=3, unavailable=0)
    assert _lint(run_cli, tmp_path, statefulset + three + _budget("minAvailable: 3")) == []


def test_a_budget_finding_can_be_waived_on_the_budget(run_cli: RunCli, tmp_path: Path) -> None:
    three = DEPLOYMENT.format(name="a", replicas=3, unavailable=0)
    waiver = (
        "  annotations:\n    rolloutplan.io/ignore-disruption-budget-blocks-eviction: "
        '"drained by hand in the maintenance window"\n'
    )
    assert _lint(run_cli, tmp_path, three + _budget("maxUnavailable: 0", waiver)) == []


def test_a_budget_is_judged_at_the_autoscalers_lowest_count(
    run_cli: RunCli, tmp_path: Path
) -> None:
    hpa = """\
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: a}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: a}
  minReplicas: 2
  maxReplicas: 9
"""
    text = DEPLOYMENT.format(name="a", replicas=5, unavailable=0) + _budget("minAvailable: 2")
    found = _lint(run_cli, tmp_path, text + hpa)
    assert [f[:2] for f in found] == [("RP317", 5), ("RP318", 18)]
    assert "(2 of Deployment a, its HorizontalPodAutoscaler's minReplicas)" in found[1][2]


def test_budgets_with_match_expressions_select_as_the_selector_says(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """In, Exists and NotIn requirements (budgets are matched through an index of the
    Deployments' labels; the Deployments are named in file order)."""
    two = DEPLOYMENT.format(name="b", replicas=1, unavailable=0) + DEPLOYMENT.format(
        name="a", replicas=2, unavailable=0
    )
    for selector in (
        "{matchExpressions: [{key: app, operator: In, values: [a, b, c]}]}",
        "{matchExpressions: [{key: tier, operator: Exists}]}",
        "{matchExpressions: [{key: app, operator: NotIn, values: [c]}]}",
    ):
        text = two + _budget("minAvailable: 3").replace("{matchLabels: {tier: web}}", selector)
        (blocked,) = _lint(run_cli, tmp_path, text)
        assert "(1 of Deployment b, 2 of Deployment a)" in blocked[2], selector
    only_a = "{matchExpressions: [{key: app, operator: In, values: [a]}]}"
    text = two + _budget("minAvailable: 2").replace("{matchLabels: {tier: web}}", only_a)
    assert [f[0] for f in _lint(run_cli, tmp_path, text)] == ["RP318"]


def test_a_risk_only_one_end_of_the_range_shows_says_which_plan_and_is_listed_once(
    run_cli: RunCli,
) -> None:
    """fixtures/cluster: the quota slows the plan at minReplicas 4 and stalls the one at
    maxReplicas 8 (RP331, once each, saying which plan); markdown lists the Deployment's
    other findings (RP317) under its first plan only, and each plan's own under it."""
    manifests = FIXTURES / "cluster" / "manifests"
    report = _json(run_cli, manifests)
    quota = [f["message"] for f in report["findings"] if f["rule"] == "RP331"]
    assert [m[:40] for m in quota] == [
        "the quota leaves no room for some of the",
        "the rollout stalls at step 4: exceeded q",
    ]
    assert [m.endswith(f" (the plan at {end})") for m, end in zip(
        quota, ("minReplicas 4", "maxReplicas 8"), strict=True
    )] == [True, True]  # fmt: skip
    (conflict,) = [f["message"] for f in report["findings"] if f["rule"] == "RP317"]
    assert "(the plan at" not in conflict  # both plans show it
    markdown = run_cli("plan", "--no-cache", "--format", "markdown", manifests).stdout
    rows = [line for line in markdown.splitlines() if line.startswith("| store/cart")]
    assert [row.rsplit("|", 2)[1].strip() for row in rows] == ["2 warnings", "1 warning"]
    low, high = (
        markdown.split("at maxReplicas 8: stalled")[0],
        markdown.split("at maxReplicas 8: stalled")[1],
    )
    assert low.count("replicas-with-autoscaler (") == 1 and "(the plan at minReplicas 4)" in low
    assert "replicas-with-autoscaler" not in high and "(the plan at minReplicas 4)" not in high
    assert high.count("(the plan at maxReplicas 8)") == 1


def test_an_autoscaler_targets_the_deployment_only_through_the_apps_group(
    run_cli: RunCli, tmp_path: Path
) -> None:
    # the HPA controller maps the target's group and kind, whatever the version: group
    # extensions serves no Deployment (FailedGetScale), and "apps" alone is a core version
    text = WEB.read_text()
    assert "    apiVersion: apps/v1\n    kind: Deployment\n" in text
    for api_version, scaled in (
        ("apps/v1beta2", True),
        ("extensions/v1beta1", False),
        ("apps", False),
    ):
        path = tmp_path / "web.yaml"
        path.write_text(
            text.replace(
                "    apiVersion: apps/v1\n    kind: Deployment\n",
                f"    apiVersion: {api_version}\n    kind: Deployment\n",
            )
        )
        report = _json(run_cli, path)
        replicas = [p["replicas"] for p in report["plans"]]
        assert replicas == ([2, 6] if scaled else [4]), api_version
        assert any(f[0] == "RP317" for f in _findings(report)) == scaled, api_version


def test_several_autoscalers_of_one_deployment_are_flagged_once_and_noted_in_the_plans(
    run_cli: RunCli,
) -> None:
    """Two autoscalers of one Deployment: the HPA controller scales it by no metric
    (AmbiguousSelector), so RP323 names both and their ranges, and the plans say so."""
    path = FIXTURES / "rules" / "several-autoscalers" / "fail-cpu-and-rps.yaml"
    report = _json(run_cli, path)
    [finding] = [f for f in report["findings"] if f["rule"] == "RP323"]
    assert (finding["line"], finding["field"], finding["name"]) == (6, "metadata.name", "web")
    assert "(web-cpu 2..6, web-rps 3..10)" in finding["message"]
    assert "AmbiguousSelector" in finding["message"]
    assert "together 3..6" in finding["message"]
    # each autoscaler moves the count into its range: together 3 (web-rps) to 6 (web-cpu)
    assert [(p["replicas"], p["replicasFrom"]["name"]) for p in report["plans"]] == [
        (3, "web-rps"),
        (6, "web-cpu"),
    ]
    for plan in report["plans"]:
        assert "none of them scales it by metrics, see RP323" in plan["notes"][0]


def test_several_autoscalers_hold_the_applied_spec_replicas_within_their_common_range(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """No metric moves the count the apply sets (AmbiguousSelector); the bounds only clamp
    it into 3..6: one plan there, not at both ends of the range."""
    text = (FIXTURES / "rules" / "several-autoscalers" / "fail-cpu-and-rps.yaml").read_text(
        encoding="utf-8"
    )
    path = tmp_path / "web.yaml"
    found = []
    for applied in (4, 1, 9):
        path.write_text(text.replace("spec:\n", f"spec:\n  replicas: {applied}\n", 1), "utf-8")
        report = _json(run_cli, path)
        [plan] = report["plans"]
        found.append((plan["replicas"], plan.get("replicasFrom", {}).get("field")))
        assert (
            f"spec.replicas {applied}, which the apply sets and no metric changes"
            in (plan["notes"][0])
        )
        [conflict] = [f["message"] for f in report["findings"] if f["rule"] == "RP317"]
        assert "none of them scales it by metrics (RP323)" in conflict
        assert "until the autoscaler scales it again" not in conflict
    assert found == [(4, None), (3, "spec.minReplicas"), (6, "spec.maxReplicas")]


def test_several_autoscalers_whose_ranges_do_not_overlap_plan_the_first_range(
    run_cli: RunCli,
) -> None:
    path = FIXTURES / "rules" / "several-autoscalers" / "fail-disjoint-ranges.yaml"
    report = _json(run_cli, path)
    [finding] = [f for f in report["findings"] if f["rule"] == "RP323"]
    assert "the count never settles" in finding["message"]
    assert [(p["replicas"], p["replicasFrom"]["name"]) for p in report["plans"]] == [
        (6, "web-day"),
        (10, "web-day"),
    ]
    assert "their ranges do not overlap" in report["plans"][0]["notes"][0]


def _validates(report: dict[str, Any]) -> None:
    schema = json.loads((ROOT / "schemas" / "output.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(report)


def test_a_manifest_that_applies_zero_replicas_disables_the_autoscaler(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """The HPA controller leaves a target at 0 replicas alone while minReplicas is above 0
    (ScalingActive False, ScalingDisabled): one plan at 0, not two at 2 and 6."""
    path = tmp_path / "web.yaml"
    path.write_text(WEB.read_text(encoding="utf-8").replace("  replicas: 4\n", "  replicas: 0\n"))
    report = _json(run_cli, path)
    _validates(report)
    (plan,) = report["plans"]
    assert plan["replicas"] == 0 and "replicasFrom" not in plan
    assert plan["notes"][0].startswith(
        "replicas 0, not from HorizontalPodAutoscaler web: the manifest applies spec.replicas "
        "0, and the HPA controller does not scale a Deployment at 0 replicas while "
        "minReplicas is 2 (ScalingActive False, ScalingDisabled"
    )
    [conflict] = [f for f in report["findings"] if f["rule"] == "RP317"]
    assert "resets the replica count to 0 and at 0 HorizontalPodAutoscaler web stops " \
        "scaling it (minReplicas 2: ScalingActive False, ScalingDisabled) until someone " \
        "scales it up" in conflict["message"]  # fmt: skip
    assert "until the autoscaler scales it again" not in conflict["message"]
    # no pods to keep healthy: the budget is not judged at the autoscaler's 2
    assert "RP318" not in {f["rule"] for f in report["findings"]}
    text = run_cli("plan", "--no-cache", path).stdout
    assert ": rollout, RollingUpdate, 0 replicas" in text
    assert "  note: replicas 0, not from HorizontalPodAutoscaler web:" in text


def test_live_state_at_zero_replicas_is_planned_at_zero_whatever_the_autoscaler_says(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Scaled to 0 in the cluster (the autoscaler's status still says 3): the HPA controller
    reads the live count, 0, and stops; apply still sets 4, which RP317 keeps saying."""
    text = LIVE.read_text(encoding="utf-8")
    live = "    replicas: 3\n    revisionHistoryLimit"
    assert text.count(live) == 1
    path = tmp_path / "live.yaml"
    path.write_text(text.replace(live, "    replicas: 0\n    revisionHistoryLimit"))
    report = _json(run_cli, path)
    _validates(report)
    (plan,) = report["plans"]
    assert plan["replicas"] == 0 and "replicasFrom" not in plan
    assert plan["notes"][0].startswith(
        "replicas 0, not from HorizontalPodAutoscaler web: spec.replicas is 0 in the cluster, "
    )
    assert plan["final"] == {"old": 0, "new": 0, "available": 0, "upToDate": 0}
    [conflict] = [f for f in report["findings"] if f["rule"] == "RP317"]
    message = conflict["message"]
    assert "resets the replica count to 4 until the autoscaler scales it again" in message
