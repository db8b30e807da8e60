"""`rolloutplan services`: each Service, what it selects and where each port lands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rolloutplan.analysis.naming import NAMED, listed
from rolloutplan.analysis.reachability import PortReach, ServiceReach
from rolloutplan.model.finding import Finding, ObjectRef
from rolloutplan.report.table import render_table

if TYPE_CHECKING:
    from rolloutplan.collect import ServiceInFile

HEADERS = ("SERVICE", "FILE", "TYPE", "PORTS", "SELECTS", "TARGETS", "FINDINGS")


def render_services(services: tuple[ServiceInFile, ...], findings: tuple[Finding, ...]) -> str:
    if not services:
        return "No Service in the given files.\n"
    of_copy = by_copy(findings)
    rows = [_row(row.reach, row.path, of_copy) for row in services]
    return render_table(HEADERS, rows) + "\n"


def by_copy(findings: Sequence[Finding]) -> dict[tuple[str, ObjectRef | None], list[Finding]]:
    """The findings on each copy of an object (its file and reference), grouped once:
    filtering them for every Service or plan would take rows x findings steps."""
    grouped: dict[tuple[str, ObjectRef | None], list[Finding]] = {}
    for finding in findings:
        grouped.setdefault((finding.location.path, finding.obj), []).append(finding)
    return grouped


def _row(
    reach: ServiceReach, path: str, of_copy: dict[tuple[str, ObjectRef | None], list[Finding]]
) -> tuple[str, ...]:
    service = reach.service
    rules = sorted({f.rule_id for f in of_copy.get((path, service.ref), [])})
    return (
        f"{service.ref.namespace}/{service.ref.name}",
        path,
        service.type,
        ", ".join(_port(p.port, p.node_port, p.protocol) for p in service.ports) or "-",
        _selects(reach),
        "; ".join(_targets(port) for port in reach.ports) or "-",
        ", ".join(rules) or "-",
    )


def _port(port: int, node_port: int | None, protocol: str) -> str:
    """As kubectl get service shows PORT(S): 80:30080/TCP."""
    return f"{port}:{node_port}/{protocol}" if node_port else f"{port}/{protocol}"


def _selects(reach: ServiceReach) -> str:
    service = reach.service
    if service.type == "ExternalName":
        return f"(DNS alias of {service.external_name})"
    if not service.selector:
        return "(no selector: endpoints managed by hand)"
    if not reach.selected:
        return "(nothing in the given files)"
    names = [f"{w.kind} {w.name}" for w in reach.selected[:NAMED]]
    return listed(names, len(reach.selected))  # JSON lists them all


def _targets(port: PortReach) -> str:
    reached = sorted({str(t.port) if t.port is not None else "none" for t in port.targets})
    target = port.service_port.target_port
    shown = f"{target}" if isinstance(target, int) else f"{target}={'/'.join(reached) or '?'}"
    return f"{port.service_port.port}->{shown}"


def services_json(services: tuple[ServiceInFile, ...]) -> list[dict[str, Any]]:
    return [
        {
            "service": {"namespace": r.service.ref.namespace, "name": r.service.ref.name},
            "file": path,
            "type": r.service.type,
            "selector": dict(r.service.selector) if r.service.selector is not None else None,
            "selects": [
                {"kind": w.kind, "namespace": w.namespace, "name": w.name} for w in r.selected
            ],
            "ports": [
                {
                    "port": p.service_port.port,
                    "protocol": p.service_port.protocol,
                    "targetPort": p.service_port.target_port,
                    "targets": [
                        {"kind": t.workload.kind, "name": t.workload.name, "port": t.port}
                        for t in p.targets
                    ],
                }
                for p in r.ports
            ],
        }
        for path, r in ((row.path, row.reach) for row in services)
    ]
