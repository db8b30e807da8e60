"""A plan on known nodes (``--nodes``, ``--zones``, or Node objects in the inputs): the
scheduler's filters that can keep a Deployment's new pods Pending while its old pods run.

- Required pod anti-affinity between the Deployment's own pods lets each domain of the
  term's topology key (a node for kubernetes.io/hostname, a zone for
  topology.kubernetes.io/zone) run one of them.
- A topologySpreadConstraint with whenUnsatisfiable DoNotSchedule lets a pod into a domain
  when the matching pods there, plus itself, exceed the fewest in any eligible domain
  (globalMin) by at most maxSkew.  The domain with the fewest always passes, so a spread
  keeps pods Pending only when globalMin is held at 0: fewer eligible domains than
  minDomains, or an eligible domain that takes none of these pods (a tainted node counted
  under nodeTaintsPolicy Ignore).  Then each domain holds at most maxSkew matching pods.

The nodes a new pod can land on pass the scheduler's earlier filters, in its order:
NodeUnschedulable (cordoned), TaintToleration (NoSchedule and NoExecute taints, with the
tolerations the DefaultTolerationSeconds admission plugin adds; tolerationSeconds does not
matter to the scheduler) and NodeAffinity (nodeSelector and the required node affinity).
Anti-affinity terms are read as the API server leaves them in the pods (matchLabelKeys and
mismatchLabelKeys merged into the labelSelector); terms whose namespaces may or may not
include the pod's own are left out, with a note.

Each such bound is a ``Limit``: how many new pods can run beside a number of old ones.  The
simulation leaves the new pods beyond it Pending (unavailable, counted by maxSurge).

With Node objects, a new pod that no node takes (every node fails those earlier filters)
stays Pending whether or not the template has constraints: the plan stalls on it (RP324).
Only the new template is judged; the old pods are taken to run where they are.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rolloutplan.model.cluster import AntiAffinityTerm, Node, SpreadConstraint, Taint, Toleration
from rolloutplan.model.objects import (
    Deployment,
    Labels,
    LabelSelector,
    PodTemplate,
    SelectorOperator,
    SelectorRequirement,
)
from rolloutplan.planner.simulate import NewPods, Outcome

if TYPE_CHECKING:
    from rolloutplan.planner.plan import RolloutPlan

HOSTNAME = "kubernetes.io/hostname"
ZONE = "topology.kubernetes.io/zone"
POD_TEMPLATE_HASH = "pod-template-hash"
ANTI = "podAntiAffinity"
SPREAD = "topologySpread"
FILTERS = "nodeFilters"  # no constraint: no node passes the filters before them
# the scheduler's reasons (FailedScheduling), by the filter that gives them
REASONS = {
    ANTI: "node(s) didn't match pod anti-affinity rules",
    SPREAD: "node(s) didn't match pod topology spread constraints",
}
UNSCHEDULABLE = "node(s) were unschedulable"
SELECTOR = "node(s) didn't match Pod's node affinity/selector"
MISSING_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)"
UNSCHEDULABLE_TAINT = Taint("node.kubernetes.io/unschedulable", "", "NoSchedule")
BLOCKING_EFFECTS = frozenset({"NoSchedule", "NoExecute"})
# what the DefaultTolerationSeconds admission plugin adds to every pod
DEFAULT_TOLERATIONS = (
    Toleration("node.kubernetes.io/not-ready", "Exists", "", "NoExecute", 300),
    Toleration("node.kubernetes.io/unreachable", "Exists", "", "NoExecute", 300),
)
NAMESPACE_NAME = "kubernetes.io/metadata.name"  # the label every Namespace carries
# the values of pod-template-hash that tell the new revision's pods from the old ones'
NEW_HASH, OLD_HASH = "new", "old"
# node evaluations over all the Deployments of a run: beyond it, Node objects are not read
# for more Deployments (a note says so), so many Deployments on many nodes stay linear
MAX_NODE_WORK = 4_000_000

FIX = (
    "set maxUnavailable to 1 or more (an old pod then leaves its node to a new one), or "
    "maxSurge to 0, or add nodes"
)
SPREAD_FIX = (
    "set maxUnavailable to 1 or more (an old pod then leaves room in its domain), or "
    "maxSurge to 0, or lower minDomains to the domains there are, or set nodeTaintsPolicy: "
    "Honor, or add pod-template-hash to matchLabelKeys (old pods then do not count)"
)

NO_NODE_FIX = (
    "let the new pods onto the nodes (tolerations, nodeSelector, node affinity; uncordon or "
    "label the nodes), or add nodes they can land on"
)


@dataclass(frozen=True, slots=True)
class Cluster:
    """What is known of the nodes: counts from flags, or the Node objects of the inputs."""

    nodes: int | None = None  # --nodes
    zones: int | None = None  # --zones
    objects: tuple[Node, ...] = ()

    @property
    def from_flags(self) -> bool:
        return self.nodes is not None or self.zones is not None

    @property
    def known(self) -> bool:
        return self.from_flags or bool(self.objects)


@dataclass(frozen=True, slots=True)
class Limit:
    """One constraint's bound: ``domains`` domains of ``key`` the new pods can land on,
    each holding at most ``per_domain`` of the pods the constraint counts (old ones too
    when ``counts_old``)."""

    kind: str  # ANTI or SPREAD
    key: str
    domains: int
    per_domain: int
    counts_old: bool
    why: str  # the note that states it

    def running(self, old_pods: int) -> int:
        counted = old_pods if self.counts_old else 0
        return max(0, self.domains * self.per_domain - counted)

    def json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "topologyKey": self.key,
            "domains": self.domains,
            "podsPerDomain": self.per_domain,
            "countsOldPods": self.counts_old,
        }


@dataclass(frozen=True, slots=True)
class NodeRoom:
    """The limits on the Deployment's pods, and how the scheduler words a stall."""

    limits: tuple[Limit, ...]
    nodes: int | None  # how many nodes there are, when known
    source: str  # "flags" or "nodes"
    notes: tuple[str, ...] = ()
    rejected: tuple[tuple[str, int], ...] = ()  # nodes earlier filters reject, by reason
    stall: str = ""  # the scheduler's message, once the plan stalls on these limits
    # the limit that stalls the plan; None when no node passes the filters before it (the
    # new pods stay Pending whatever the constraint: it is not what leaves no room)
    blocking: Limit | None = None

    def running(self, old_pods: int) -> int:
        """How many new pods can run beside ``old_pods`` old ones."""
        return min(limit.running(old_pods) for limit in self.limits)

    def binding(self, old_pods: int) -> Limit:
        """The first limit (in the scheduler's filter order) that allows the fewest."""
        fewest = self.running(old_pods)
        return next(limit for limit in self.limits if limit.running(old_pods) == fewest)

    @property
    def no_node(self) -> bool:
        """Node objects, and every one rejects the new pods before any constraint counts
        (cordons, taints, nodeSelector, node affinity, a spread constraint's missing label)."""
        rejected = sum(count for _, count in self.rejected)
        return self.source == "nodes" and self.nodes is not None and rejected == self.nodes

    def message(self, limit: Limit) -> str:
        """The scheduler's FailedScheduling message when no node takes a new pod."""
        reason = REASONS.get(limit.kind, "")
        if self.nodes is None:
            return (
                f"no node is available in any of the {domain_words(limit.domains, limit.key)}: "
                f"{reason}"
            )
        fitting = self.nodes - sum(count for _, count in self.rejected)
        counts = [*self.rejected, *([(reason, fitting)] if fitting else [])]
        parts = sorted(f"{count} {why}" for why, count in counts)
        return f"0/{self.nodes} nodes are available: {', '.join(parts)}."

    def pending(self, plan: RolloutPlan) -> int:
        """New pods that exist at the end of the plan and have no node."""
        new = plan.final.new
        if new is None or not self.limits:
            return 0
        old_pods = sum(rs.pods for rs in plan.final.olds)
        return max(0, min(new.spec, new.pods) - self.running(old_pods))

    def applied(self, plan: RolloutPlan) -> RolloutPlan:
        """The plan with the assumptions stated, and the reason when the limits stall it."""
        notes = [*plan.notes, *self.notes, *(limit.why for limit in self.limits if limit.why)]
        if self.limits and not self.no_node:
            running = sum(rs.pods for rs in plan.start.all)
            start_room = self.running(0)
            if running > start_room:
                notes.append(
                    f"the rollout starts with {running} pods where these constraints let "
                    f"{start_room} run: {running - start_room} of them would be Pending "
                    "already; the plan takes them to run"
                )
        reason, room = plan.stall_reason, self
        stalled = plan.outcome is Outcome.STALLED and plan.new_pods is NewPods.READY
        pending = self.pending(plan)
        if stalled and pending and not reason:
            limit = self.binding(sum(rs.pods for rs in plan.final.olds))
            reason = self.message(limit)
            if self.no_node:
                room, fix = replace(self, stall=reason), NO_NODE_FIX
            else:
                room = replace(self, stall=reason, blocking=limit)
                fix = FIX if limit.kind == ANTI else SPREAD_FIX
            notes.append(
                f"stalled: {pending} new pod(s) stay Pending ({reason}; FailedScheduling); {fix}"
            )
        return replace(plan, notes=tuple(notes), nodes=room, stall_reason=reason)

    def json(self, plan: RolloutPlan) -> dict[str, object]:
        found: dict[str, object] = {}
        if self.nodes is not None:
            found["nodes"] = self.nodes
        if any(limit.kind == ANTI and limit.key == HOSTNAME for limit in self.limits):
            found["podsPerNode"] = 1
        found["pendingAtEnd"] = self.pending(plan)
        found["source"] = self.source
        found["constraints"] = [limit.json() for limit in self.limits if limit.kind != FILTERS]
        return found


class Budget:
    """The node evaluations left for this run (see MAX_NODE_WORK)."""

    __slots__ = ("left",)

    def __init__(self, left: int = MAX_NODE_WORK) -> None:
        self.left = left


def _bound_note(node: str) -> str:
    return (
        f"the pod template sets spec.nodeName {node}: its pods are not scheduled but bound to "
        "that node, so the plan does not judge node taints, selectors, affinity or spread"
    )


def node_room(
    deployment: Deployment,
    old_template: PodTemplate | None,
    cluster: Cluster,
    budget: Budget,
) -> NodeRoom | None:
    """The limits the nodes put on the Deployment's pods (None: nothing known of the nodes,
    or pods without constraints the plan can judge)."""
    template = deployment.template
    if not cluster.known:
        return None
    if template.node_name:
        return NodeRoom((), None, "nodes", (_bound_note(template.node_name),))
    if not (template.anti_affinity or template.spread):
        return None if cluster.from_flags else _no_node(template, cluster.objects, budget)
    old = old_template or template
    anti, unjudged = _anti_affinity(template, old, deployment.ref.namespace)
    spread = _spread(template, old.labels)
    if not anti and not spread:
        room = None if cluster.from_flags else _no_node(template, cluster.objects, budget)
        if room is not None:
            return replace(room, notes=(*unjudged, *room.notes))
        return NodeRoom((), None, "nodes", unjudged) if unjudged else None
    if cluster.from_flags:
        room = _on_flags(cluster, anti, spread, _placement_note(template))
    else:
        if budget.left < len(cluster.objects):
            return NodeRoom((), None, "nodes", (*unjudged, _TOO_MANY))
        budget.left -= len(cluster.objects)
        room = _on_nodes(template, cluster.objects, anti, spread)
    return replace(room, notes=(*unjudged, *room.notes)) if unjudged else room


def _no_node(template: PodTemplate, nodes: Sequence[Node], budget: Budget) -> NodeRoom | None:
    """A new pod no node takes (cordoned, untolerated taints, nodeSelector, node affinity):
    its pods stay Pending whatever else they ask for (None: some node takes it)."""
    tolerations = _tolerations(template)
    rejected: Counter[str] = Counter()
    for node in nodes:
        if budget.left <= 0:
            return NodeRoom((), None, "nodes", (_NOT_CHECKED,))
        budget.left -= 1
        selected = _selected(template, dict(node.labels), node.ref.name)
        tainted = bool(node.taints) or node.unschedulable
        why = _filtered(node, tolerations, selected) if tainted or not selected else ""
        if not why:
            return None
        rejected[why] += 1
    limit = Limit(FILTERS, HOSTNAME, 0, 1, False, "")
    note = _no_node_note(len(nodes))
    return NodeRoom((limit,), len(nodes), "nodes", (note,), tuple(sorted(rejected.items())))


def _no_node_note(nodes: int, missing_label: bool = False) -> str:
    label = ", the topology label of a DoNotSchedule spread constraint" if missing_label else ""
    return (
        f"none of the {nodes} Node object(s) in the inputs takes a new pod (the scheduler's "
        "filters before any constraint: cordons, NoSchedule and NoExecute taints, "
        f"nodeSelector, required node affinity{label}): only the new template is judged, and "
        "the old pods are taken to run where they are"
    )


_NOT_CHECKED = (
    "the Node objects in the inputs were not read for this Deployment (too many nodes for "
    "the Deployments of the inputs): whether a node takes its new pods is not checked"
)

_TOO_MANY = (
    "the Node objects in the inputs were not read for this Deployment (too many nodes for "
    "the Deployments with scheduling constraints); give --nodes or --zones"
)


def _anti_affinity(
    template: PodTemplate, old: PodTemplate, namespace: str
) -> tuple[list[tuple[str, bool]], tuple[str, ...]]:
    """The topology keys of the anti-affinity terms that keep the new pods apart, each with
    whether old pods count too, and notes for the terms left out.  Old pods count when both
    templates carry a term that matches old and new pods (old pods without one may share a
    domain: which domains they leave free is then unknown, and the term is not judged).
    Each term is read as the API server leaves it in the pods: matchLabelKeys and
    mismatchLabelKeys add the pod's own values (its pod-template-hash differs by revision)."""
    new_labels = {**dict(template.labels), POD_TEMPLATE_HASH: NEW_HASH}
    old_labels = {**dict(old.labels), POD_TEMPLATE_HASH: OLD_HASH}
    old_terms = [
        (t, _effective(t, old_labels), covers)
        for t in old.anti_affinity
        if (covers := _covers(t, namespace)) is not False
    ]
    found: dict[str, bool] = {}
    unjudged: list[str] = []
    for term in template.anti_affinity:
        selector = _effective(term, new_labels)
        covers = _covers(term, namespace)
        if covers is False:
            continue
        if covers is None:
            unjudged.append(_unknown_namespaces(term))
            continue
        if not selector.matches(new_labels):
            if selector.matches(old_labels):  # new pods avoid old ones, not each other
                unjudged.append(_apart_from_old(term))
            continue
        both = selector.matches(old_labels)
        key = term.topology_key
        old_term = any(
            t.topology_key == key
            and covers_old
            and sel.matches(old_labels)
            and sel.matches(new_labels)
            for t, sel, covers_old in old_terms
        )
        old_repels_new = any(
            t.topology_key == key and sel.matches(new_labels) for t, sel, _ in old_terms
        )
        if both and old_term:
            found[key] = True
        elif not both and not old_repels_new:
            found.setdefault(key, False)
        else:
            continue
        if term.match_label_keys or term.mismatch_label_keys:
            unjudged.append(_label_keys_note(term))
    return list(found.items()), tuple(dict.fromkeys(unjudged))


def _effective(term: AntiAffinityTerm, pod_labels: dict[str, str]) -> LabelSelector:
    """The term's labelSelector with the pod's values of matchLabelKeys (In) and
    mismatchLabelKeys (NotIn) added; keys the pod lacks add nothing."""
    added = tuple(
        SelectorRequirement(key, operator, (pod_labels[key],))
        for keys, operator in (
            (term.match_label_keys, SelectorOperator.IN),
            (term.mismatch_label_keys, SelectorOperator.NOT_IN),
        )
        for key in keys
        if key in pod_labels
    )
    if not added:
        return term.selector
    return replace(term.selector, match_expressions=(*term.selector.match_expressions, *added))


def _covers(term: AntiAffinityTerm, namespace: str) -> bool | None:
    """Whether the term counts the pods of the pod's own namespace (None: unknown, a
    namespaceSelector on labels other than the namespace's name)."""
    selector = term.namespace_selector
    if (not term.namespaces and selector is None) or namespace in term.namespaces:
        return True
    if selector is None:
        return False
    keys = {key for key, _ in selector.match_labels}
    keys.update(requirement.key for requirement in selector.match_expressions)
    if keys <= {NAMESPACE_NAME}:
        return selector.matches({NAMESPACE_NAME: namespace})
    return None


def _unknown_namespaces(term: AntiAffinityTerm) -> str:
    return (
        f"a required pod anti-affinity term on {term.topology_key} is not judged: its "
        "namespaceSelector selects namespaces by labels the inputs do not show, so whether "
        "it counts this Deployment's own pods is unknown"
    )


def _apart_from_old(term: AntiAffinityTerm) -> str:
    return (
        f"a required pod anti-affinity term on {term.topology_key} is not judged: it keeps "
        "the new pods out of the domains of the old ones but not apart from each other, "
        "and which domains the old pods hold is unknown"
    )


def _label_keys_note(term: AntiAffinityTerm) -> str:
    keys = ", ".join([*term.match_label_keys, *term.mismatch_label_keys])
    return (
        f"the required pod anti-affinity term on {term.topology_key} is read with its "
        f"matchLabelKeys/mismatchLabelKeys ({keys}) merged into its labelSelector with the "
        "pod's own values, as the API server does when it creates the pod "
        "(MatchLabelKeysInPodAffinity, on by default since Kubernetes 1.31; older clusters "
        "drop those fields)"
    )


def _spread(template: PodTemplate, old_labels: Labels) -> list[tuple[SpreadConstraint, bool]]:
    """The spread constraints that count the new pods, each with whether old pods count:
    the labelSelector, with the new pod's values of matchLabelKeys added, matches them
    (pod-template-hash in matchLabelKeys: only the new revision's pods count)."""
    new_labels = dict(template.labels)
    olds = dict(old_labels)
    found = []
    for constraint in template.spread:
        selector = constraint.selector
        if selector is None or not selector.matches(template.labels) or not constraint.topology_key:
            continue
        counts_old = selector.matches(old_labels) and all(
            key != POD_TEMPLATE_HASH and (key not in new_labels or olds.get(key) == new_labels[key])
            for key in constraint.match_label_keys
        )
        found.append((constraint, counts_old))
    return found


def domain_words(count: int, key: str) -> str:
    if key == HOSTNAME:
        return f"{count} node(s)"
    if key == ZONE:
        return f"{count} zone(s)"
    return f"{count} {key} domain(s)"


def _anti_note(limit: Limit, source: str) -> str:
    old = (
        "new pods beyond the domains the old pods leave free stay Pending (unavailable, "
        "counted by maxSurge) until an old pod is gone; assumes each old pod runs in its own "
        "domain"
        if limit.counts_old
        else "only the new pods count (the old pods' labels or terms set them apart)"
    )
    return (
        f"required pod anti-affinity on {limit.key} lets each of the "
        f"{domain_words(limit.domains, limit.key)} ({source}) run one of these pods: {old}; "
        "and that nothing else (taints, resources, other pods) keeps a new pod off a free node"
    )


def _spread_note(limit: Limit, constraint: SpreadConstraint, held: str, source: str) -> str:
    counted = (
        "old and new pods count (the labelSelector matches both)"
        if limit.counts_old
        else "only the new revision's pods count"
    )
    return (
        f"topologySpreadConstraints on {limit.key} (maxSkew {constraint.max_skew}, "
        f"DoNotSchedule, {source}): {held}, so globalMin stays 0 and each of the "
        f"{domain_words(limit.domains, limit.key)} the pods can land on holds at most "
        f"{limit.per_domain} matching pod(s); {counted}; assumes the old pods are spread "
        "evenly over those domains"
    )


def _unlabelled_note(key: str, unlabelled: int) -> str:
    return (
        f"required pod anti-affinity on {key} keeps no new pod Pending: {unlabelled} node(s) "
        f"the pods can land on have no {key} label, and the scheduler lets any number of "
        "these pods onto such a node"
    )


def _never_held(constraint: SpreadConstraint, domains: int) -> str:
    return (
        f"topologySpreadConstraints on {constraint.topology_key} (maxSkew "
        f"{constraint.max_skew}, DoNotSchedule): the domain with the fewest matching pods "
        f"always takes one more ({domains} domain(s), minDomains {constraint.min_domains}), "
        "so the constraint keeps no new pod Pending"
    )


def _placement_note(template: PodTemplate) -> str:
    """What the flags assume of a template that restricts its nodes ("" when it does not)."""
    what = [
        name
        for name, present in (
            ("nodeSelector", bool(template.node_selector)),
            ("required node affinity", template.node_affinity is not None),
        )
        if present
    ]
    if not what:
        return ""
    return (
        f"the pods have {' and '.join(what)}: --nodes/--zones count every node (and zone) as "
        "one they can land on, unchecked (Node objects in the inputs, `kubectl get nodes -o "
        "yaml`, are matched against it when no flag is given)"
    )


def _on_flags(
    cluster: Cluster,
    anti: list[tuple[str, bool]],
    spread: list[tuple[SpreadConstraint, bool]],
    placement: str = "",
) -> NodeRoom:
    """Limits from --nodes and --zones: every domain takes the pods; other topology keys
    are not judged."""
    counts = {HOSTNAME: cluster.nodes, ZONE: cluster.zones}
    flags = {HOSTNAME: "--nodes", ZONE: "--zones"}
    limits: list[Limit] = []
    notes: list[str] = [placement] if placement else []
    for constraint, counts_old in spread:
        domains = counts.get(constraint.topology_key)
        if domains is None:
            continue
        if domains >= constraint.min_domains:
            notes.append(_never_held(constraint, domains))
            continue
        held = f"minDomains {constraint.min_domains} is above the {domains} domain(s)"
        limit = Limit(SPREAD, constraint.topology_key, domains, constraint.max_skew, counts_old, "")
        why = _spread_note(limit, constraint, held, flags[constraint.topology_key])
        limits.append(replace(limit, why=why))
    for key, counts_old in anti:
        domains = counts.get(key)
        if domains is not None:
            limit = Limit(ANTI, key, domains, 1, counts_old, "")
            limits.append(replace(limit, why=_anti_note(limit, flags[key])))
    if cluster.objects:
        notes.insert(
            0,
            "--nodes/--zones given: the Node objects in the inputs are not read for scheduling "
            "(the flags win, as kubectl's flags win over its files)",
        )
    return NodeRoom(tuple(limits), cluster.nodes, "flags", tuple(notes))


def _on_nodes(
    template: PodTemplate,
    nodes: Sequence[Node],
    anti: list[tuple[str, bool]],
    spread: list[tuple[SpreadConstraint, bool]],
) -> NodeRoom:
    """Limits from the Node objects: the domains of the nodes a new pod can land on, and
    for spread constraints the eligible domains (nodeAffinityPolicy, nodeTaintsPolicy)."""
    keys = {constraint.topology_key for constraint, _ in spread}
    rejected: Counter[str] = Counter()
    landable: list[dict[str, str]] = []
    # each node with the spread keys: its labels, whether it passes nodeSelector and node
    # affinity, and whether the pods tolerate its taints (for the eligible domains)
    keyed: list[tuple[dict[str, str], bool, bool]] = []
    evicted: list[int] = []
    tolerations = _tolerations(template)
    for node in nodes:
        labels = dict(node.labels)
        selected = _selected(template, labels, node.ref.name)
        tainted = bool(node.taints) or node.unschedulable
        if keys <= labels.keys():
            tolerated = not tainted or _untolerated(tolerations, _taints(node)) is None
            keyed.append((labels, selected, tolerated))
        why = _filtered(node, tolerations, selected) if tainted or not selected else ""
        if not why and not keys <= labels.keys():
            why = MISSING_LABEL
        if why:
            rejected[why] += 1
            continue
        landable.append(labels)
        if tainted and (seconds := _evicted_after(tolerations, node.taints)) is not None:
            evicted.append(seconds)
    source = f"{len(nodes)} Node object(s) in the inputs"
    limits: list[Limit] = []
    notes: list[str] = [_eviction_note(evicted)] if evicted else []
    for constraint, counts_old in spread:
        key = constraint.topology_key
        eligible = {
            labels[key]
            for labels, selected, tolerated in keyed
            if (selected or not constraint.honor_node_affinity)
            and (tolerated or not constraint.honor_node_taints)
        }
        lands = {labels[key] for labels in landable}
        if len(eligible) >= constraint.min_domains and lands >= eligible:
            notes.append(_never_held(constraint, len(eligible)))
            continue
        if len(eligible) < constraint.min_domains:
            held = f"minDomains {constraint.min_domains} is above the {len(eligible)} domain(s)"
        else:
            held = (
                f"{len(eligible - lands)} of the {len(eligible)} eligible domain(s) take none "
                "of these pods (their nodes count for the skew: nodeTaintsPolicy "
                f"{'Honor' if constraint.honor_node_taints else 'Ignore'}, but the pod cannot "
                "land there)"
            )
        limit = Limit(SPREAD, key, len(lands), constraint.max_skew, counts_old, "")
        limits.append(replace(limit, why=_spread_note(limit, constraint, held, source)))
    for key, counts_old in anti:
        unlabelled = sum(key not in labels for labels in landable)
        if unlabelled:
            notes.append(_unlabelled_note(key, unlabelled))
            continue
        domains = len({labels[key] for labels in landable})
        limit = Limit(ANTI, key, domains, 1, counts_old, "")
        limits.append(replace(limit, why=_anti_note(limit, source)))
    if not landable:
        notes.insert(0, _no_node_note(len(nodes), MISSING_LABEL in rejected))
    return NodeRoom(
        tuple(limits), len(nodes), "nodes", tuple(notes), tuple(sorted(rejected.items()))
    )


def _eviction_note(evicted: list[int]) -> str:
    return (
        f"{len(evicted)} node(s) the pods can land on carry a NoExecute taint the pods "
        f"tolerate only for a while (tolerationSeconds, the shortest {min(evicted)} s): the "
        "scheduler places pods there all the same, and the taint manager evicts them after "
        "that time; the plan counts those nodes, as the scheduler does"
    )


def _tolerations(template: PodTemplate) -> tuple[Toleration, ...]:
    """The pod's tolerations once admitted (DefaultTolerationSeconds adds its own)."""
    return (*template.tolerations, *DEFAULT_TOLERATIONS)


def _taints(node: Node) -> tuple[Taint, ...]:
    """The node's taints, with the one the node lifecycle controller puts on a cordoned
    node (hand-written Node objects may lack it)."""
    if node.unschedulable and UNSCHEDULABLE_TAINT not in node.taints:
        return (*node.taints, UNSCHEDULABLE_TAINT)
    return node.taints


def _untolerated(tolerations: tuple[Toleration, ...], taints: tuple[Taint, ...]) -> Taint | None:
    """The first NoSchedule or NoExecute taint no toleration tolerates (tolerationSeconds
    does not matter to the scheduler)."""
    for taint in taints:
        if taint.effect in BLOCKING_EFFECTS and not any(t.tolerates(taint) for t in tolerations):
            return taint
    return None


def _evicted_after(tolerations: tuple[Toleration, ...], taints: tuple[Taint, ...]) -> int | None:
    """How long a pod stays on a node whose NoExecute taints it tolerates (None: for good):
    the taint manager evicts it after the least tolerationSeconds of the tolerations that
    tolerate a NoExecute taint."""
    seconds = [
        t.seconds
        for taint in taints
        if taint.effect == "NoExecute"
        for t in tolerations
        if t.seconds is not None and t.tolerates(taint)
    ]
    return min(seconds) if seconds else None


def _selected(template: PodTemplate, labels: dict[str, str], name: str) -> bool:
    """Whether the node passes the pod's nodeSelector and its required node affinity
    (any one of the nodeSelectorTerms)."""
    if not all(labels.get(key) == value for key, value in template.node_selector):
        return False
    terms = template.node_affinity
    return terms is None or any(term.matches(labels, name) for term in terms)


def _filtered(node: Node, tolerations: tuple[Toleration, ...], selected: bool) -> str:
    """Why the filters before the spread and affinity ones reject the node ("" when none
    does), in the scheduler's order: NodeUnschedulable, TaintToleration, NodeAffinity."""
    if node.unschedulable and not any(t.tolerates(UNSCHEDULABLE_TAINT) for t in tolerations):
        return UNSCHEDULABLE
    taint = _untolerated(tolerations, node.taints)
    if taint is not None:
        return f"node(s) had untolerated taint {{{taint.key}: {taint.value}}}"
    return "" if selected else SELECTOR
