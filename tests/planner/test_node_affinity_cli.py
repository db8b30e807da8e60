"""What the scheduler does with required node affinity, anti-affinity terms with
matchLabelKeys or namespaces, cordoned nodes, NoExecute taints and nodes without a topology
label, through the CLI on Node objects (kubectl get nodes -o yaml) and --nodes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, RunCli

SCHEDULING = FIXTURES / "scheduling"
AFFINITY = SCHEDULING / "live-node-affinity"  # 5 workers, 3 in antarctica-east1/west1
CORDONED = SCHEDULING / "live-cordoned"  # 4 workers in 4 zones, worker-d cordoned
MAINTENANCE = SCHEDULING / "live-maintenance"  # 4 workers, worker-d tainted NoExecute
UNLABELLED = SCHEDULING / "live-zone-unlabelled"  # 3 zoned workers and edge-1 without zone
SELECTOR = "node(s) didn't match Pod's node affinity/selector"
ANTI = "node(s) didn't match pod anti-affinity rules"
SPREAD = "node(s) didn't match pod topology spread constraints"
REDIS_EVENT = f"0/3 nodes are available: 3 {ANTI}."
ZONE_TERM = """            nodeSelectorTerms:
            - matchExpressions:
              - key: topology.kubernetes.io/zone
                operator: In
                values:
                - antarctica-east1
                - antarctica-west1
"""
NODE_AFFINITY = (
    "        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n" + ZONE_TERM
)
TOLERATION = (
    "      tolerations:\n      - key: example.com/maintenance\n        operator: Exists\n"
    "        effect: NoExecute\n        tolerationSeconds: 3600\n"
)


def _plans(run_cli: RunCli, *args: object) -> dict[str, dict[str, Any]]:
    report = json.loads(run_cli("plan", "--format", "json", *args).stdout)
    return {plan["deployment"]["name"]: plan for plan in report["plans"]}


def _copy(source: Path, target: Path, replace: tuple[str, str] = ("", "")) -> Path:
    """The apply unit ``source`` in ``target``, its deployment.yaml edited."""
    shutil.copytree(source, target)
    deployment = target / "deployment.yaml"
    old, new = replace
    text = deployment.read_text()
    assert old in text
    deployment.write_text(text.replace(old, new, 1))
    return target


def test_required_node_affinity_leaves_the_pods_the_nodes_it_matches(run_cli: RunCli) -> None:
    plan = _plans(run_cli, AFFINITY)["web-store"]
    assert plan["outcome"] == "stalled"
    assert plan["stallReason"] == f"0/5 nodes are available: 2 {SELECTOR}, 3 {ANTI}."
    assert plan["scheduling"]["constraints"][0]["domains"] == 3


def test_without_node_affinity_the_same_pods_fit_on_5_nodes(
    run_cli: RunCli, tmp_path: Path
) -> None:
    unit = _copy(AFFINITY, tmp_path / "unit", (NODE_AFFINITY, ""))
    plan = _plans(run_cli, unit)["web-store"]
    assert plan["outcome"] == "complete"
    assert plan["scheduling"]["constraints"][0]["domains"] == 5


@pytest.mark.parametrize(
    ("terms", "unmatched"),
    [
        # NotIn: a node without the label matches too
        (
            "- matchExpressions:\n  - {key: kubernetes.io/hostname, operator: NotIn, "
            "values: [worker-4, worker-5]}",
            2,
        ),
        (
            "- matchExpressions:\n  - {key: node-role.kubernetes.io/control-plane, "
            "operator: DoesNotExist}",
            0,
        ),
        (
            "- matchExpressions:\n  - {key: karpenter.k8s.aws/instance-generation, "
            "operator: Gt, values: ['5']}",
            2,
        ),
        (
            "- matchExpressions:\n  - {key: karpenter.k8s.aws/instance-generation, "
            "operator: Lt, values: ['6']}",
            3,
        ),
        ("- matchExpressions:\n  - {key: example.com/gpu, operator: Exists}", 5),
        # matchExpressions ANDed
        (
            "- matchExpressions:\n  - {key: topology.kubernetes.io/zone, operator: In, "
            "values: [antarctica-east1]}\n  - {key: kubernetes.io/hostname, operator: In, "
            "values: [worker-1, worker-3]}",
            4,
        ),
        # terms ORed, matchFields on metadata.name
        (
            "- matchExpressions:\n  - {key: topology.kubernetes.io/zone, operator: In, "
            "values: [antarctica-east1]}\n- matchFields:\n  - {key: metadata.name, "
            "operator: In, values: [worker-5]}",
            2,
        ),
    ],
)
def test_node_selector_operators_and_terms(
    run_cli: RunCli, tmp_path: Path, terms: str, unmatched: int
) -> None:
    indented = "".join(f"            {line}\n" for line in terms.splitlines())
    unit = _copy(
        AFFINITY, tmp_path / "unit", (ZONE_TERM, f"            nodeSelectorTerms:\n{indented}")
    )
    plan = _plans(run_cli, unit)["web-store"]
    landable = 5 - unmatched
    assert plan["scheduling"]["constraints"][0]["domains"] == landable
    if landable > 3:  # 3 replicas and a surge pod, one per node
        assert plan["outcome"] == "complete"
        return
    # the scheduler's histogram counts only reasons some node gave
    reasons = [
        f"{count} {why}" for count, why in ((unmatched, SELECTOR), (landable, ANTI)) if count
    ]
    assert plan["stallReason"] == f"0/5 nodes are available: {', '.join(sorted(reasons))}."


def test_spread_counts_only_the_zones_node_affinity_allows_under_honor(
    run_cli: RunCli, tmp_path: Path
) -> None:
    honor = _plans(run_cli, AFFINITY)["web-spread"]
    assert honor["outcome"] == "complete"
    assert any("(2 domain(s), minDomains 1)" in note for note in honor["notes"])
    unit = _copy(
        AFFINITY,
        tmp_path / "unit",
        (
            "        whenUnsatisfiable: DoNotSchedule\n",
            "        whenUnsatisfiable: DoNotSchedule\n        nodeAffinityPolicy: Ignore\n",
        ),
    )
    ignore = _plans(run_cli, unit)["web-spread"]
    assert ignore["outcome"] == "stalled"
    assert ignore["stallReason"] == f"0/5 nodes are available: 2 {SELECTOR}, 3 {SPREAD}."
    assert any("1 of the 3 eligible domain(s) take none" in n for n in ignore["notes"])


def test_match_label_keys_pod_template_hash_lets_old_pods_not_repel_new_ones(
    run_cli: RunCli,
) -> None:
    plain = _plans(run_cli, "--nodes", "3", SCHEDULING / "redis-cache.yaml")["redis-cache"]
    hashed = _plans(run_cli, "--nodes", "3", SCHEDULING / "redis-cache-hash.yaml")["redis-cache"]
    assert plain["outcome"] == "stalled"
    assert hashed["outcome"] == "complete"
    (limit,) = hashed["scheduling"]["constraints"]
    assert limit["countsOldPods"] is False
    assert any("MatchLabelKeysInPodAffinity" in note for note in hashed["notes"])


def _redis(tmp_path: Path, added: str) -> Path:
    text = (SCHEDULING / "redis-cache.yaml").read_text()
    key = '            topologyKey: "kubernetes.io/hostname"\n'
    path = tmp_path / "redis-cache.yaml"
    path.write_text(text.replace(key, key + added, 1))
    return path


@pytest.mark.parametrize(
    "added",
    [
        "            namespaces: [default]\n",
        "            namespaceSelector: {}\n",
        "            namespaceSelector:\n              matchLabels:\n"
        "                kubernetes.io/metadata.name: default\n",
        "            namespaces: [default, monitoring]\n"
        "            namespaceSelector: {matchLabels: {team: cache}}\n",
    ],
)
def test_terms_certain_to_count_the_own_namespace_are_judged(
    run_cli: RunCli, tmp_path: Path, added: str
) -> None:
    plan = _plans(run_cli, "--nodes", "3", _redis(tmp_path, added))["redis-cache"]
    assert plan["outcome"] == "stalled"
    assert plan["stallReason"] == REDIS_EVENT


def test_a_namespace_selector_on_unknown_labels_is_left_out_and_said(
    run_cli: RunCli, tmp_path: Path
) -> None:
    added = "            namespaceSelector: {matchLabels: {team: cache}}\n"
    plan = _plans(run_cli, "--nodes", "3", _redis(tmp_path, added))["redis-cache"]
    assert plan["outcome"] == "complete"
    assert plan["scheduling"]["constraints"] == []
    assert (
        "a required pod anti-affinity term on kubernetes.io/hostname is not judged: its "
        "namespaceSelector selects namespaces by labels the inputs do not show, so whether "
        "it counts this Deployment's own pods is unknown"
    ) in plan["notes"]


def test_a_term_for_other_namespaces_only_does_not_keep_own_pods_apart(
    run_cli: RunCli, tmp_path: Path
) -> None:
    plan = _plans(run_cli, "--nodes", "3", _redis(tmp_path, "            namespaces: [cache]\n"))
    assert plan["redis-cache"]["outcome"] == "complete"
    assert "scheduling" not in plan["redis-cache"]


def test_a_cordoned_node_counts_for_the_skew_unless_taints_are_honoured(
    run_cli: RunCli, tmp_path: Path
) -> None:
    assert _plans(run_cli, CORDONED)["web-spread"]["outcome"] == "complete"
    unit = _copy(CORDONED, tmp_path / "ignore", ("        nodeTaintsPolicy: Honor\n", ""))
    ignore = _plans(run_cli, unit)["web-spread"]
    assert ignore["outcome"] == "stalled"
    assert ignore["stallReason"] == (
        f"0/4 nodes are available: 1 node(s) were unschedulable, 3 {SPREAD}."
    )


def test_a_cordoned_node_without_its_taint_reads_as_the_cluster_shows_it(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """The node lifecycle controller taints a cordoned node; a hand-written Node may lack
    the taint: the answer is the same."""
    unit = _copy(CORDONED, tmp_path / "bare")
    nodes = unit / "nodes.yaml"
    taint = (
        "    taints:\n    - effect: NoSchedule\n      key: node.kubernetes.io/unschedulable\n"
        '      timeAdded: "2024-05-14T10:01:02Z"\n'
    )
    assert taint in nodes.read_text()
    nodes.write_text(nodes.read_text().replace(taint, ""))
    bare = _plans(run_cli, unit)["web-spread"]
    assert bare == _plans(run_cli, CORDONED)["web-spread"] | {"file": bare["file"]}


def test_a_tolerated_no_execute_taint_with_toleration_seconds_still_takes_pods(
    run_cli: RunCli, tmp_path: Path
) -> None:
    plan = _plans(run_cli, MAINTENANCE)["redis-cache"]
    assert plan["outcome"] == "complete"
    assert plan["scheduling"]["constraints"][0]["domains"] == 4
    assert any(
        "1 node(s) the pods can land on carry a NoExecute taint the pods tolerate only for a "
        "while (tolerationSeconds, the shortest 3600 s)" in note
        for note in plan["notes"]
    )
    untolerated = _copy(MAINTENANCE, tmp_path / "untolerated", (TOLERATION, ""))
    stalled = _plans(run_cli, untolerated)["redis-cache"]
    assert stalled["stallReason"] == (
        "0/4 nodes are available: 1 node(s) had untolerated taint "
        f"{{example.com/maintenance: planned}}, 3 {ANTI}."
    )


def test_pods_tolerate_unreachable_no_execute_for_300_seconds(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """DefaultTolerationSeconds gives every pod 300 s on a not-ready or unreachable node."""
    unit = _copy(MAINTENANCE, tmp_path / "unit", (TOLERATION, ""))
    nodes = unit / "nodes.yaml"
    text = nodes.read_text()
    nodes.write_text(
        text.replace("key: example.com/maintenance", "key: node.kubernetes.io/unreachable").replace(
            "      value: planned\n", ""
        )
    )
    plan = _plans(run_cli, unit)["redis-cache"]
    assert plan["outcome"] == "complete"
    assert any("the shortest 300 s" in note for note in plan["notes"])


def test_a_node_without_the_zone_label_takes_any_number_of_anti_affine_pods(
    run_cli: RunCli,
) -> None:
    plan = _plans(run_cli, UNLABELLED)["zone-cache"]
    assert plan["outcome"] == "complete"
    assert plan["scheduling"]["constraints"] == []
    assert (
        "required pod anti-affinity on topology.kubernetes.io/zone keeps no new pod Pending: "
        "1 node(s) the pods can land on have no topology.kubernetes.io/zone label, and the "
        "scheduler lets any number of these pods onto such a node"
    ) in plan["notes"]
    # the same nodes with one more zoned worker in use: each of the 3 zones holds one pod
    flags = _plans(run_cli, "--zones", "3", UNLABELLED)["zone-cache"]
    assert flags["outcome"] == "stalled"


def test_a_node_without_the_zone_label_is_no_spread_domain(run_cli: RunCli, tmp_path: Path) -> None:
    unit = tmp_path / "unit"
    unit.mkdir()
    shutil.copy(UNLABELLED / "nodes.yaml", unit)
    shutil.copy(SCHEDULING / "spread-min-domains.yaml", unit)  # minDomains 5
    plan = next(iter(_plans(run_cli, unit).values()))
    assert plan["stallReason"] == (
        f"0/4 nodes are available: 1 {SPREAD} (missing required label), 3 {SPREAD}."
    )


def test_mismatch_label_keys_pod_template_hash_is_left_out_and_said(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """New pods then avoid the old pods' nodes only: which nodes those are is unknown."""
    added = "            mismatchLabelKeys: [pod-template-hash]\n"
    plan = _plans(run_cli, "--nodes", "3", _redis(tmp_path, added))["redis-cache"]
    assert plan["outcome"] == "complete"
    assert plan["scheduling"]["constraints"] == []
    assert any("keeps the new pods out of the domains of the old ones" in n for n in plan["notes"])


FLAGS_UNCHECKED = "--nodes/--zones count every node (and zone) as one they can land on"


def test_flags_take_every_node_as_one_the_pods_may_use_and_say_so(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """--nodes and --zones are counts, not nodes: required node affinity or a nodeSelector
    cannot be matched against them, and the plans say the flags' nodes all count."""
    deployment = AFFINITY / "deployment.yaml"
    plans = _plans(run_cli, "--nodes", "3", "--zones", "3", deployment)
    for plan in plans.values():
        [note] = [n for n in plan["notes"] if FLAGS_UNCHECKED in n]
        assert note.startswith("the pods have required node affinity: ")
    assert plans["web-store"]["scheduling"]["constraints"][0]["domains"] == 3  # not 2 or 5
    selector = tmp_path / "selector.yaml"
    selector.write_text(
        deployment.read_text()
        .replace(NODE_AFFINITY, "", 1)
        .replace(
            "      affinity:\n", "      nodeSelector:\n        disktype: ssd\n      affinity:\n", 1
        )
    )
    store = _plans(run_cli, "--nodes", "3", selector)["web-store"]
    [note] = [n for n in store["notes"] if FLAGS_UNCHECKED in n]
    assert note.startswith("the pods have nodeSelector: ")
    # on Node objects they are matched, and without such constraints nothing is said
    for args in ((AFFINITY,), ("--nodes", "3", SCHEDULING / "redis-cache.yaml")):
        plans = _plans(run_cli, *args)
        assert plans, args
        for plan in plans.values():
            assert not any(FLAGS_UNCHECKED in n for n in plan["notes"]), args


def test_nodes_that_all_lack_a_spread_constraints_label_take_no_pod(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """The spread filter rejects a node without the constraint's topologyKey label: with
    none labelled, no node takes a new pod, which RP324 reports (label the nodes)."""
    unit = tmp_path / "unit"
    unit.mkdir()
    text = (UNLABELLED / "nodes.yaml").read_text(encoding="utf-8")
    (unit / "nodes.yaml").write_text(
        "\n".join(line for line in text.splitlines() if "topology.kubernetes.io/zone:" not in line)
        + "\n"
    )
    shutil.copy(SCHEDULING / "spread-min-domains.yaml", unit)
    result = run_cli("plan", "--format", "json", "--no-cache", unit)
    report = json.loads(result.stdout)
    [plan] = report["plans"]
    assert plan["outcome"] == "stalled"
    assert plan["stallReason"] == f"0/4 nodes are available: 4 {SPREAD} (missing required label)."
    [finding] = [f for f in report["findings"] if f["rule"] == "RP324"]
    assert "none of the 4 nodes in the inputs takes a new pod" in finding["message"]
    assert "label the nodes" in finding["message"]
    assert not {"RP320", "RP321"} & {f["rule"] for f in report["findings"]}
    assert any(
        "the topology label of a DoNotSchedule spread constraint" in n for n in plan["notes"]
    )
