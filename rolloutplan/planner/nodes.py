"""A plan on a number of nodes (``--nodes``): required pod anti-affinity on
kubernetes.io/hostname between the Deployment's own pods lets each node run one of them, so
new pods beyond the nodes the old pods leave free stay Pending, as the scheduler leaves them
(FailedScheduling)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rolloutplan.model.objects import Deployment, PodTemplate
from rolloutplan.planner.simulate import NewPods, Outcome

if TYPE_CHECKING:
    from rolloutplan.planner.plan import RolloutPlan

FIX = (
    "set maxUnavailable to 1 or more (an old pod then leaves its node to a new one), or "
    "maxSurge to 0, or add nodes"
)


@dataclass(frozen=True, slots=True)
class NodeRoom:
    """``nodes`` nodes, each of which runs at most one of the Deployment's pods."""

    nodes: int

    def running(self, old_pods: int) -> int:
        """How many new pods can run beside ``old_pods`` old ones (each on its own node)."""
        return max(0, self.nodes - old_pods)

    @property
    def message(self) -> str:
        """The scheduler's FailedScheduling event for a new pod that finds no node."""
        n = self.nodes
        return f"0/{n} nodes are available: {n} node(s) didn't match pod anti-affinity rules"

    def pending(self, plan: RolloutPlan) -> int:
        """New pods that exist at the end of the plan and have no node."""
        new = plan.final.new
        if new is None:
            return 0
        old_pods = sum(rs.pods for rs in plan.final.olds)
        return max(0, min(new.spec, new.pods) - self.running(old_pods))

    def applied(self, plan: RolloutPlan) -> RolloutPlan:
        """The plan with the assumption stated, and the reason when the nodes stall it."""
        notes = [
            *plan.notes,
            f"required pod anti-affinity on kubernetes.io/hostname lets each of the {self.nodes} "
            "node(s) (--nodes) run one of these pods: new pods beyond the nodes the old pods "
            "leave free stay Pending (unavailable, counted by maxSurge) until an old pod is gone; "
            "assumes each old pod runs on its own node and nothing else (taints, resources, "
            "other pods) keeps a new pod off a free node",
        ]
        running = sum(rs.pods for rs in plan.start.all)
        if running > self.nodes:
            notes.append(
                f"the rollout starts with {running} pods on {self.nodes} node(s): with this "
                f"anti-affinity {running - self.nodes} of them would be Pending already; the "
                "plan takes them to run"
            )
        reason = plan.stall_reason
        stalled = plan.outcome is Outcome.STALLED and plan.new_pods is NewPods.READY
        pending = self.pending(plan)
        if stalled and pending and not reason:
            reason = self.message
            notes.append(
                f"stalled: {pending} new pod(s) stay Pending ({reason}; FailedScheduling); {FIX}"
            )
        return replace(plan, notes=tuple(notes), nodes=self, stall_reason=reason)

    def json(self, plan: RolloutPlan) -> dict[str, int]:
        return {"nodes": self.nodes, "podsPerNode": 1, "pendingAtEnd": self.pending(plan)}


def node_room(
    deployment: Deployment, old_template: PodTemplate | None, nodes: int | None
) -> NodeRoom | None:
    """The nodes' limit on the Deployment's pods (None: no --nodes, or pods that do not
    keep each other off a node).  The old pods' template must carry the term too: otherwise
    old pods may share nodes, and free nodes the plan cannot count."""
    if nodes is None:
        return None
    old = old_template or deployment.template
    new_labels, old_labels = deployment.template.labels, old.labels
    if _repels(deployment.template, new_labels, old_labels) and _repels(
        old, new_labels, old_labels
    ):
        return NodeRoom(nodes)
    return None


def _repels(template: PodTemplate, *labels: tuple[tuple[str, str], ...]) -> bool:
    return any(
        all(selector.matches(pod) for pod in labels) for selector in template.host_anti_affinity
    )
