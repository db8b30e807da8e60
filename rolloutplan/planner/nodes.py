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

Each such bound is a ``Limit``: how many new pods can run beside a number of old ones.  The
simulation leaves the new pods beyond it Pending (unavailable, counted by maxSurge).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from rolloutplan.model.objects import (
    Deployment,
    Labels,
    Node,
    PodTemplate,
    SpreadConstraint,
    Taint,
    Toleration,
)
from rolloutplan.planner.simulate import NewPods, Outcome

if TYPE_CHECKING:
    from rolloutplan.planner.plan import RolloutPlan

HOSTNAME = "kubernetes.io/hostname"
ZONE = "topology.kubernetes.io/zone"
POD_TEMPLATE_HASH = "pod-template-hash"
ANTI = "podAntiAffinity"
SPREAD = "topologySpread"
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
    blocking: Limit | None = field(default=None)  # the limit that stalls the plan

    def running(self, old_pods: int) -> int:
        """How many new pods can run beside ``old_pods`` old ones."""
        return min(limit.running(old_pods) for limit in self.limits)

    def binding(self, old_pods: int) -> Limit:
        """The first limit (in the scheduler's filter order) that allows the fewest."""
        fewest = self.running(old_pods)
        return next(limit for limit in self.limits if limit.running(old_pods) == fewest)

    def message(self, limit: Limit) -> str:
        """The scheduler's FailedScheduling message when no node takes a new pod."""
        reason = REASONS[limit.kind]
        if self.nodes is None:
            return (
                f"no node is available in any of the {domain_words(limit.domains, limit.key)}: "
                f"{reason}"
            )
        fitting = self.nodes - sum(count for _, count in self.rejected)
        parts = sorted([f"{count} {why}" for why, count in self.rejected] + [f"{fitting} {reason}"])
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
        notes = [*plan.notes, *self.notes, *(limit.why for limit in self.limits)]
        if self.limits:
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
        found["constraints"] = [limit.json() for limit in self.limits]
        return found


class Budget:
    """The node evaluations left for this run (see MAX_NODE_WORK)."""

    __slots__ = ("left",)

    def __init__(self, left: int = MAX_NODE_WORK) -> None:
        self.left = left


def node_room(
    deployment: Deployment,
    old_template: PodTemplate | None,
    cluster: Cluster,
    budget: Budget | None = None,
) -> NodeRoom | None:
    """The limits the nodes put on the Deployment's pods (None: nothing known of the nodes,
    or pods without constraints the plan can judge)."""
    template = deployment.template
    if not cluster.known or not (template.anti_affinity or template.spread):
        return None
    old = old_template or template
    anti = _anti_affinity(template, old)
    spread = _spread(template, old.labels)
    if not anti and not spread:
        return None
    if cluster.from_flags:
        return _on_flags(cluster, anti, spread)
    budget = budget or Budget()
    if budget.left < len(cluster.objects):
        return NodeRoom((), None, "nodes", (_TOO_MANY,))
    budget.left -= len(cluster.objects)
    return _on_nodes(template, cluster.objects, anti, spread)


_TOO_MANY = (
    "the Node objects in the inputs were not read for this Deployment (too many nodes for "
    "the Deployments with scheduling constraints); give --nodes or --zones"
)


def _anti_affinity(template: PodTemplate, old: PodTemplate) -> list[tuple[str, bool]]:
    """The topology keys of the anti-affinity terms that keep the new pods apart, each with
    whether old pods count too.  Old pods count when both templates carry a term that
    matches old and new pods (old pods without one may share a domain: which domains they
    leave free is then unknown, and the term is not judged)."""
    new_labels, old_labels = template.labels, old.labels
    found: dict[str, bool] = {}
    for term in template.anti_affinity:
        if not term.selector.matches(new_labels):
            continue
        both = term.selector.matches(old_labels)
        old_term = any(
            t.topology_key == term.topology_key
            and t.selector.matches(old_labels)
            and t.selector.matches(new_labels)
            for t in old.anti_affinity
        )
        old_repels_new = any(
            t.topology_key == term.topology_key and t.selector.matches(new_labels)
            for t in old.anti_affinity
        )
        if both and old_term:
            found[term.topology_key] = True
        elif not both and not old_repels_new:
            found.setdefault(term.topology_key, False)
    return list(found.items())


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


def _never_held(constraint: SpreadConstraint, domains: int) -> str:
    return (
        f"topologySpreadConstraints on {constraint.topology_key} (maxSkew "
        f"{constraint.max_skew}, DoNotSchedule): the domain with the fewest matching pods "
        f"always takes one more ({domains} domain(s), minDomains {constraint.min_domains}), "
        "so the constraint keeps no new pod Pending"
    )


def _on_flags(
    cluster: Cluster, anti: list[tuple[str, bool]], spread: list[tuple[SpreadConstraint, bool]]
) -> NodeRoom:
    """Limits from --nodes and --zones: every domain takes the pods; other topology keys
    are not judged."""
    counts = {HOSTNAME: cluster.nodes, ZONE: cluster.zones}
    flags = {HOSTNAME: "--nodes", ZONE: "--zones"}
    limits: list[Limit] = []
    notes: list[str] = []
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
    for node in nodes:
        labels = dict(node.labels)
        why = _filtered(template, node, labels)
        if not why and not keys <= labels.keys():
            why = MISSING_LABEL
        if why:
            rejected[why] += 1
        else:
            landable.append(labels)
    source = f"{len(nodes)} Node object(s) in the inputs"
    limits: list[Limit] = []
    notes: list[str] = []
    for constraint, counts_old in spread:
        key = constraint.topology_key
        eligible = {
            labels[key]
            for node in nodes
            if keys <= (labels := dict(node.labels)).keys()
            and _eligible(template, constraint, node)
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
        if not all(key in labels for labels in landable):
            continue  # a node without the key takes any number of these pods
        domains = len({labels[key] for labels in landable})
        limit = Limit(ANTI, key, domains, 1, counts_old, "")
        limits.append(replace(limit, why=_anti_note(limit, source)))
    return NodeRoom(
        tuple(limits), len(nodes), "nodes", tuple(notes), tuple(sorted(rejected.items()))
    )


def _untolerated(tolerations: tuple[Toleration, ...], taints: tuple[Taint, ...]) -> Taint | None:
    """The first NoSchedule or NoExecute taint no toleration tolerates."""
    for taint in taints:
        if taint.effect in BLOCKING_EFFECTS and not any(t.tolerates(taint) for t in tolerations):
            return taint
    return None


def _selected(template: PodTemplate, labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in template.node_selector)


def _filtered(template: PodTemplate, node: Node, labels: dict[str, str]) -> str:
    """Why the filters before the spread and affinity ones reject the node ("" when none
    does), in the scheduler's order: NodeUnschedulable, TaintToleration, NodeAffinity."""
    tolerations = template.tolerations
    if node.unschedulable and not any(t.tolerates(UNSCHEDULABLE_TAINT) for t in tolerations):
        return UNSCHEDULABLE
    taint = _untolerated(tolerations, node.taints)
    if taint is not None:
        return f"node(s) had untolerated taint {{{taint.key}: {taint.value}}}"
    if not _selected(template, labels):
        return SELECTOR
    return ""


def _eligible(template: PodTemplate, constraint: SpreadConstraint, node: Node) -> bool:
    """Whether the node's domain counts for the skew (nodeAffinityPolicy and
    nodeTaintsPolicy; a cordoned node carries the unschedulable taint in live output)."""
    if constraint.honor_node_affinity and not _selected(template, dict(node.labels)):
        return False
    return not (constraint.honor_node_taints and _untolerated(template.tolerations, node.taints))
