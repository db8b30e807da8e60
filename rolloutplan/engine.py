"""Wires the stages: sources -> findings, typed objects, plans and analyses.  No IO of its
own; the result cache and worker processes are behind ``collect``.

The planner and the plan analyses are imported when a command plans, so that ``lint`` (the
pre-commit hook) starts without them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from rolloutplan.collect import Config, UnreadablePath, add_findings, collect, selected
from rolloutplan.model.finding import Finding, ObjectRef, Severity
from rolloutplan.model.objects import KubeObject
from rolloutplan.model.source import SourceText
from rolloutplan.tally import Suppressed, Tally

if TYPE_CHECKING:
    from rolloutplan.analysis.endpoints import EndpointTimeline
    from rolloutplan.analysis.reachability import ServiceReach
    from rolloutplan.planner.plan import BareReplicaSet, PlanOptions, RolloutPlan

__all__ = ["Config", "Report", "Suppressed", "UnreadablePath", "check", "plan", "run"]


@dataclass(frozen=True, slots=True)
class Report:
    findings: tuple[Finding, ...]
    objects: Sequence[KubeObject]  # in file order; read lazily (see tally.ObjectList)
    files: int
    documents: int
    checked: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    suppressed: tuple[Suppressed, ...] = ()
    services: tuple[ServiceReach, ...] = ()
    plans: tuple[RolloutPlan, ...] = ()
    endpoints: tuple[EndpointTimeline, ...] = ()
    deleted: tuple[ObjectRef, ...] = ()  # Deployments the change removes (check --base)
    deployment_files: Mapping[ObjectRef, str] = field(default_factory=dict)  # valid or not
    unparsed_files: frozenset[str] = frozenset()  # files whose objects were not all read
    bare_replica_sets: tuple[BareReplicaSet, ...] = ()
    planned: bool = False  # the command planned rollouts (reporters then show plans)
    show_services: bool = False  # the command asked for the Service table
    from_cache: int = 0  # files whose results came from the result cache (not in outputs)

    @property
    def unreadable(self) -> bool:
        return any(f.rule_id == "RP012" for f in self.findings)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)


def run(
    sources: Sequence[SourceText | UnreadablePath],
    config: Config,
    previous: Sequence[SourceText | UnreadablePath] | None = None,
) -> Report:
    """Check every source.  With ``previous`` (the manifests as they are now), an object found
    there by kind, namespace and name is checked as an update of it, as the server would."""
    tally = collect(sources, config, previous)
    return _report(tally, config, len(sources))


def plan(
    sources: Sequence[SourceText | UnreadablePath],
    config: Config,
    options: PlanOptions,
    previous: Sequence[SourceText | UnreadablePath] | None = None,
) -> Report:
    """Check the inputs, then plan every Deployment that passed (rejected ones are not planned)
    and report the risks of each plan.

    ``previous`` holds the earlier version of the manifests; only its unreadable paths are
    reported (by ``collect``), since its own findings are not about the change being made.
    """
    return _plan(sources, config, options, previous)[0]


def _plan(
    sources: Sequence[SourceText | UnreadablePath],
    config: Config,
    options: PlanOptions,
    previous: Sequence[SourceText | UnreadablePath] | None,
) -> tuple[Report, Report | None]:
    """The plan report, and the report on the previous manifests (None without them)."""
    from rolloutplan.analysis import endpoints
    from rolloutplan.analysis.plan_risks import plan_risks
    from rolloutplan.planner.plan import plan_all

    tally = collect(sources, config, previous)
    before = None if previous is None else run(previous, config)
    plans, bare = plan_all(tally.objects, None if before is None else before.objects, options)
    services = [service for service, _ in tally.services]
    timelines = tuple(t for p in plans for t in endpoints.timelines(p, services))
    documents = {**{s.ref: d for s, d in tally.services}, **tally.deployment_documents}
    for ref, violations in plan_risks(plans, timelines).items():
        add_findings(documents[ref], ref, violations, config, tally)
    report = replace(
        _report(tally, config, len(sources)),
        plans=plans,
        bare_replica_sets=bare,
        endpoints=timelines,
        planned=True,
    )
    return report, before


def check(
    sources: Sequence[SourceText | UnreadablePath],
    config: Config,
    options: PlanOptions,
    previous: Sequence[SourceText | UnreadablePath] | None = None,
    changed_files: frozenset[str] | None = None,
) -> Report:
    """Lint, plan and reachability in one run.  With ``changed_files`` (a comparison with a
    base revision), only findings in those files are kept, only Deployments that change are
    planned, and Deployments that are gone are listed; reachability still resolves every
    Service against every given manifest, changed or not."""
    from rolloutplan.planner.start import Change

    report, previous_report = _plan(sources, config, options, previous)
    if changed_files is None or previous_report is None:
        return report
    # a Deployment the change breaks is still there (reported, not deleted), and one whose
    # file cannot be read now may be too: only one that is gone from a readable file is
    before = previous_report.deployment_files
    gone = before.keys() - report.deployment_files.keys()
    deleted = tuple(sorted(ref for ref in gone if before[ref] not in report.unparsed_files))
    changing = tuple(p for p in report.plans if p.change is not Change.NONE)
    refs = {p.deployment.ref for p in changing}
    return replace(
        report,
        findings=tuple(
            f for f in report.findings
            if f.location.path in changed_files or f.rule_id == "RP012"
        ),
        plans=changing,
        endpoints=tuple(t for t in report.endpoints if t.deployment in refs),
        deleted=deleted,
    )  # fmt: skip


def _report(tally: Tally, config: Config, files: int) -> Report:
    selection = config.rules
    return Report(
        findings=selected(tally.findings, selection),
        suppressed=tuple(
            Suppressed(finding, s.reason)
            for s in tally.suppressed
            for finding in selected([s.finding], selection)
        ),
        objects=tally.objects,
        files=files,
        documents=tally.documents,
        deployment_files=tally.deployment_files,
        unparsed_files=frozenset(tally.unparsed_files),
        checked=Counter(tally.checked),
        skipped=Counter(tally.skipped),
        services=tally.reaches,
        from_cache=tally.from_cache,
    )
