"""Wires the stages: sources -> findings, typed objects, plans and analyses.  No IO of its
own; the result cache and worker processes are behind ``collect``.

The planner and the plan analyses are imported when a command plans, so that ``lint`` (the
pre-commit hook) starts without them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from rolloutplan.collect import (
    Collected,
    Config,
    CrossFindings,
    ServiceInFile,
    UnreadablePath,
    collect,
    selected,
)
from rolloutplan.model.finding import Finding, ObjectRef, Severity, Violation
from rolloutplan.model.objects import Deployment, KubeObject, ReplicaSet, Service
from rolloutplan.model.source import Document, SourceText
from rolloutplan.tally import Suppressed

if TYPE_CHECKING:
    from rolloutplan.analysis.endpoints import EndpointTimeline, ServiceIndex
    from rolloutplan.planner.plan import (
        BareReplicaSet,
        PlanOptions,
        PlanUnit,
        Rejected,
        RolloutPlan,
    )

__all__ = ["Config", "Report", "Suppressed", "UnreadablePath", "check", "plan", "run"]

# the rules of analysis.plan_risks: without one of them selected, plans are not analysed
PLAN_RISKS = frozenset(
    {"RP310", "RP311", "RP312", "RP313", "RP314", "RP316"}
    | {"RP320", "RP321", "RP322", "RP324", "RP330", "RP331", "RP332"}
)
LOST_SERVICE = "RP401"  # check --base: a Service the change leaves selecting nothing


@dataclass(frozen=True, slots=True)
class Report:
    """What a command found and planned, for the reporters."""

    findings: tuple[Finding, ...]
    objects: Sequence[KubeObject]  # in file order; read lazily (see tally.ObjectList)
    files: int
    documents: int
    checked: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    suppressed: tuple[Suppressed, ...] = ()
    # each Service copy that applies, in file order (read lazily: see collect.Collected)
    services: Sequence[ServiceInFile] = ()
    plans: tuple[RolloutPlan, ...] = ()
    endpoints: tuple[EndpointTimeline, ...] = ()
    # Deployments the change removes (check --base), each with the file it was in
    deleted: tuple[tuple[ObjectRef, str], ...] = ()
    deployment_files: tuple[tuple[str, ObjectRef], ...] = ()  # each copy, valid or not
    unparsed_files: frozenset[str] = frozenset()  # files whose objects were not all read
    bare_replica_sets: tuple[BareReplicaSet, ...] = ()
    planned: bool = False  # the command planned rollouts (reporters then show plans)
    show_services: bool = False  # the command asked for the Service table
    from_cache: int = 0  # files whose results came from the result cache (not in outputs)
    excluded: int = 0  # files and directories --exclude and the defaults left out (the CLI's)
    # check --base: the findings are compared with the base revision's
    compared: bool = False
    fixed: tuple[Finding, ...] = ()  # findings at the base revision that the change removes
    unchanged: frozenset[Finding] = frozenset()  # reported findings already there at the base
    not_shown: int = 0  # check --base without --all: findings already at the base, left out

    @property
    def unreadable(self) -> bool:
        return any(f.rule_id == "RP012" for f in self.findings)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)


def run(
    sources: Sequence[SourceText | UnreadablePath],
    config: Config,
    previous: Sequence[SourceText | UnreadablePath] | None = None,
    *,
    service_table: bool = False,
) -> Report:
    """Check every source.  With ``previous`` (the manifests as they are now), an object found
    there by kind, namespace and name is checked as an update of it, as the server would.
    ``service_table``: the report's ``services`` are wanted (else only the selected rules
    decide whether Services are resolved)."""
    collected = collect(sources, config, previous, service_table=service_table)
    return _report(collected, config, len(sources))


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
) -> tuple[Report, Collected | None]:
    """The plan report, and the previous manifests' results (None without them).  Each
    Deployment copy is planned with the ReplicaSets and Services of its apply units."""
    from rolloutplan.analysis import endpoints
    from rolloutplan.planner.plan import plan_all

    collected = collect(sources, config, previous)
    before = None if previous is None else collect(previous, config, None)
    files = _Files(collected)
    earlier = None if before is None else _Files(before).deployments()
    plans, bare = plan_all(files.plan_units(), earlier, options)
    timelines = tuple(t for p in plans for t in endpoints.timelines(p, files.service_index(p.path)))
    _plan_findings(plans, timelines, files, config)
    report = replace(
        _report(collected, config, len(sources)),
        plans=plans,
        bare_replica_sets=bare,
        endpoints=timelines,
        planned=True,
    )
    return report, before


class _Files:
    """Each file's typed objects and documents, and the objects of each apply unit."""

    def __init__(self, collected: Collected) -> None:
        self.collected = collected
        self.index = {path: number for number, path in enumerate(collected.paths)}
        self.objects: list[dict[ObjectRef, KubeObject]] = [
            {obj.ref: obj for obj in part.objects} for part in collected.parts
        ]  # the last copy in a file replaces the ones before it
        units = collected.units.units
        self.services = [self._last(unit.files, Service) for unit in units]
        self.service_documents: dict[int, dict[ObjectRef, Document]] = {}
        self.service_indexes: dict[tuple[int, ...], ServiceIndex] = {}

    def _last(self, files: Sequence[int], kind: type) -> list[tuple[str, Any]]:
        """The objects of ``kind`` in ``files``, the last copy of each (as applied)."""
        found: dict[ObjectRef, tuple[str, Any]] = {}
        for file in files:
            for ref, obj in self.objects[file].items():
                if isinstance(obj, kind):
                    found.pop(ref, None)
                    found[ref] = (self.collected.paths[file], obj)
        return list(found.values())

    def plan_units(self) -> list[PlanUnit]:
        from rolloutplan.model.cluster import (
            HorizontalPodAutoscaler,
            LimitRange,
            Node,
            ResourceQuota,
            RuntimeClass,
        )
        from rolloutplan.planner.plan import PlanUnit

        rejected = self.rejected()
        return [
            PlanUnit(
                tuple(self.deployments(unit.files)),
                tuple(self._last(unit.files, ReplicaSet)),
                tuple(r for f in unit.files for r in rejected.get(f, ())),
                tuple(hpa for _, hpa in self._last(unit.files, HorizontalPodAutoscaler)),
                tuple(obj for _, obj in self._last(unit.files, ResourceQuota)),
                tuple(obj for _, obj in self._last(unit.files, LimitRange)),
                tuple(obj for _, obj in self._last(unit.files, Node)),
                tuple(obj for _, obj in self._last(unit.files, RuntimeClass)),
            )
            for unit in self.collected.units.units
        ]

    def rejected(self) -> dict[int, list[Rejected]]:
        """Each file's Deployment copies that the API server rejects (declared, not typed),
        with the rules that reject them (waived or not: the server knows no waivers)."""
        from rolloutplan.planner.plan import Rejected

        found: dict[int, list[Rejected]] = {}
        for file, part in enumerate(self.collected.parts):
            typed = self.objects[file]
            refs = [r for r in dict.fromkeys(part.declared_deployments) if r not in typed]
            if not refs:
                continue
            why: dict[ObjectRef, dict[str, None]] = {ref: {} for ref in refs}
            for finding in (*part.findings, *(s.finding for s in part.suppressed)):
                reasons = why.get(finding.obj) if finding.obj is not None else None
                if reasons is not None and _rejects(finding):
                    reasons[_reason(finding)] = None
            path = self.collected.paths[file]
            found[file] = [Rejected(path, ref, _listed(list(why[ref]))) for ref in refs if why[ref]]
        return found

    def deployments(self, files: Sequence[int] | None = None) -> list[tuple[str, Deployment]]:
        """Every Deployment copy of ``files`` (default: all), with its file."""
        return [
            (self.collected.paths[f], obj)
            for f in (range(len(self.objects)) if files is None else files)
            for obj in self.objects[f].values()
            if isinstance(obj, Deployment)
        ]

    def service_index(self, path: str) -> ServiceIndex:
        """The Services of the units of the file ``path``, each copy once, indexed; built
        once for each set of units (most files of a directory share theirs)."""
        from rolloutplan.analysis import endpoints

        units = tuple(self.collected.units.of_file[self.index[path]])
        index = self.service_indexes.get(units)
        if index is None:
            found = {(p, s.ref): (p, s) for unit in units for p, s in self.services[unit]}
            index = self.service_indexes[units] = endpoints.ServiceIndex(list(found.values()))
        return index

    def document(self, path: str, ref: ObjectRef) -> tuple[int, Document]:
        """The file (its index) and document of the copy of ``ref`` in ``path``: the last
        one in the file, as applied."""
        file = self.index[path]
        part = self.collected.parts[file]
        if ref.kind == "Deployment":
            return file, part.deployment_documents[ref]
        if file not in self.service_documents:
            self.service_documents[file] = {s.ref: d for s, d in part.services}
        return file, self.service_documents[file][ref]


# what the API server rejects an object for: its apiVersion, schema and validation
_REJECTING = ("RP013", "RP1", "RP2")
_REASONS_NAMED = 3


def _rejects(finding: Finding) -> bool:
    return finding.severity is Severity.ERROR and finding.rule_id.startswith(_REJECTING)


def _reason(finding: Finding) -> str:
    """``RP205 spec.selector is immutable``, ``RP209 spec.replicas (negative-value)``."""
    from rolloutplan.rules import REGISTRY

    where = f" {finding.field_text}" if finding.field else ""
    if finding.rule_id == "RP205":
        return f"RP205{where} is immutable"
    return f"{finding.rule_id}{where} ({REGISTRY.by_id[finding.rule_id].name})"


def _listed(reasons: list[str]) -> str:
    named = ", ".join(reasons[:_REASONS_NAMED])
    more = len(reasons) - _REASONS_NAMED
    return f"{named} and {more} more" if more > 0 else named


def _plan_findings(
    plans: Sequence[RolloutPlan],
    timelines: Sequence[EndpointTimeline],
    files: _Files,
    config: Config,
) -> None:
    """The risks each plan shows, on the Deployment copy and the Service copies it is about
    (once per copy: see CrossFindings)."""
    if not config.rules.any_enabled(PLAN_RISKS):
        return
    from rolloutplan.analysis.endpoints import by_plan
    from rolloutplan.analysis.plan_risks import plan_risks

    collected = files.collected
    found = CrossFindings(collected.units)
    timelines_of = by_plan(timelines)
    by_copy: dict[tuple[int, ObjectRef, int], tuple[Document, list[_Risks]]] = {}
    for plan in plans:
        if plan.refusal:
            continue  # a refused update never runs: it has no risks of its own
        own = timelines_of(plan)
        file, document = files.document(plan.path, plan.deployment.ref)
        unit = collected.units.of_file[file][0]
        for ref, violations in plan_risks([plan], []).items():
            by_copy.setdefault((file, ref, unit), (document, []))[1].append((plan, violations))
        for timeline in own:
            risks = plan_risks([plan], [timeline])
            for ref in (plan.deployment.ref, timeline.service.ref):
                path = plan.path if ref == plan.deployment.ref else timeline.service_file
                where, copy = files.document(path, ref)
                entry = by_copy.setdefault((where, ref, unit), (copy, []))
                entry[1].append((plan, risks.get(ref, [])))
    for (file, ref, unit), (document, risks) in by_copy.items():
        for violations in _per_variant(risks):
            found.add(file, ref, document, unit, violations)
    found.report(config, collected.tally)


_Risks = tuple["RolloutPlan", "list[Violation]"]


def _per_variant(risks: list[_Risks]) -> list[list[Violation]]:
    """The violations of each plan of one copy.  Where an autoscaler gives the copy a plan
    at each end of its range, one that not every such plan shows says which plan it is
    about (a variant's risk would otherwise read as the Deployment's whatever its count)."""
    variants = {plan.variant_name for plan, _ in risks if plan.variant_name}
    if len(variants) < 2:
        return [violations for _, violations in risks]
    seen: dict[Violation, set[str]] = {}
    for plan, violations in risks:
        for violation in violations:
            seen.setdefault(violation, set()).add(plan.variant_name)
    return [
        [
            v if seen[v] >= variants else replace(v, message=v.message + plan.variant_suffix)
            for v in violations
        ]
        for plan, violations in risks
    ]


def check(
    sources: Sequence[SourceText | UnreadablePath],
    config: Config,
    options: PlanOptions,
    previous: Sequence[SourceText | UnreadablePath] | None = None,
    renamed: Mapping[str, str] | None = None,
    *,
    everything: bool = False,
) -> Report:
    """Lint, plan and reachability in one run.  With ``renamed`` (a comparison with a base
    revision, whose manifests are ``previous``; it maps the base's file names to their names
    now where they differ), the findings are compared with the base's: only the ones the
    change introduces are reported, wherever they are, unless ``everything``; only
    Deployments that change are planned, and Deployments that are gone are listed."""
    from rolloutplan.baseline import compare
    from rolloutplan.planner.start import Change

    report, before = _plan(sources, config, options, previous)
    if renamed is None or before is None:
        return report
    deleted = tuple(_deleted(_declared(before), report))
    report = _lost_services(report, before, sources, [ref for ref, _ in deleted], config)
    comparison = compare(report.findings, selected(before.tally.findings, config.rules), renamed)
    changing = tuple(p for p in report.plans if p.change is not Change.NONE)
    copies = {(p.path, p.deployment.ref) for p in changing}
    if everything:
        findings, unchanged = report.findings, frozenset(comparison.unchanged)
    else:
        shown = {*comparison.introduced, *(f for f in report.findings if f.rule_id == "RP012")}
        findings = tuple(f for f in report.findings if f in shown)
        unchanged = frozenset()
    return replace(
        report,
        findings=findings,
        plans=changing,
        endpoints=tuple(
            t for t in report.endpoints if (t.deployment_file, t.deployment) in copies
        ),
        deleted=deleted,
        compared=True,
        fixed=tuple(
            sorted(
                (f for f in comparison.fixed if not _unreadable_now(f, renamed, report)),
                key=Finding.sort_key,
            )
        ),
        unchanged=unchanged,
        not_shown=len(report.findings) - len(findings),
    )  # fmt: skip


def _unreadable_now(finding: Finding, renamed: Mapping[str, str], report: Report) -> bool:
    """A base finding in a file whose objects cannot all be read now is not fixed: unknown."""
    path = finding.location.path
    return renamed.get(path, path) in report.unparsed_files


def _lost_services(
    report: Report,
    before: Collected,
    sources: Sequence[SourceText | UnreadablePath],
    deleted: Sequence[ObjectRef],
    config: Config,
) -> Report:
    """``report`` with RP401 on each Service copy the change leaves selecting nothing (see
    ``baseline.lost_services``), located in its file, read again (only those files)."""
    from rolloutplan.baseline import lost_services
    from rolloutplan.collect import add_findings, documents_by_ref
    from rolloutplan.tally import Tally

    if not config.rules.any_enabled({LOST_SERVICE}):
        return report
    lost = lost_services(report.services, before.service_rows, deleted, report.findings)
    if not lost:
        return report
    by_path = {source.path: source for source in sources}
    documents = {path: documents_by_ref(by_path[path], config) for path, _, _ in lost}
    tally = Tally()
    for path, ref, violation in lost:
        copies = documents[path].get(ref)
        if copies:  # the last copy in the file, as applied
            add_findings(copies[-1], ref, [violation], config, tally)
    waived = tuple(
        Suppressed(finding, s.reason)
        for s in tally.suppressed
        for finding in selected([s.finding], config.rules)
    )
    return replace(
        report,
        findings=tuple(sorted({*report.findings, *selected(tally.findings, config.rules)},
                              key=Finding.sort_key)),
        suppressed=report.suppressed + waived,
    )  # fmt: skip


def _declared(collected: Collected) -> tuple[tuple[str, ObjectRef], ...]:
    """Every Deployment copy, valid or not: its file and reference."""
    return tuple(
        (path, ref)
        for path, part in zip(collected.paths, collected.parts, strict=True)
        for ref in dict.fromkeys(part.declared_deployments)
    )


def _deleted(
    before: Sequence[tuple[str, ObjectRef]], report: Report
) -> list[tuple[ObjectRef, str]]:
    """The Deployment copies of ``before`` that are gone.  Each copy now is matched with its
    previous version (``PreviousCopies``); a copy that none matches is gone, unless the
    object is still defined in its directory.  A Deployment the change breaks is still there
    (reported, not deleted), and one whose file cannot be read now may be too: only one that
    is gone from a readable file is."""
    from rolloutplan.units import PreviousCopies

    paths: dict[ObjectRef, list[tuple[str, str]]] = {}
    for path, ref in before:
        paths.setdefault(ref, []).append((path, path))
    earlier = {ref: PreviousCopies(copies) for ref, copies in paths.items()}
    now = report.deployment_files
    kept = {(earlier[ref].of(path), ref) for path, ref in now if ref in earlier}
    here = {(path.rpartition("/")[0], ref) for path, ref in now}
    return sorted(
        (ref, path)
        for path, ref in before
        if (path, ref) not in kept
        and (path.rpartition("/")[0], ref) not in here
        and path not in report.unparsed_files
    )


def _report(collected: Collected, config: Config, files: int) -> Report:
    selection = config.rules
    tally = collected.tally
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
        deployment_files=_declared(collected),
        unparsed_files=frozenset(tally.unparsed_files),
        checked=Counter(tally.checked),
        skipped=Counter(tally.skipped),
        services=collected.service_rows,
        from_cache=tally.from_cache,
    )
