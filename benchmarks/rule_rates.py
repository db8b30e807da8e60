"""Each rule's firing rate on real manifests, as a markdown table for the README.

    python benchmarks/rule_rates.py [--split N] [--command check|lint] PATH...

Runs `rolloutplan <command> --format json --no-cache` (default `check`: lint, plans and
Service reachability) once per unit and adds the results up.  A unit is each PATH, or with
--split N each directory N levels below a PATH (files above that depth are a unit per
folder), so that unrelated applications are linted apart, as their users lint them.

Per rule: the findings, the objects it fires on (distinct kind, namespace, name and file)
and their share of the objects it can fire on: the checked workloads (Deployments and
ReplicaSets) for a rule whose findings are all on workloads, the checked Services for one
whose findings are all on Services, every object (checked and skipped kinds) otherwise.
Waived findings are not counted.  The output depends only on the inputs: units and rows
are sorted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
WORKLOAD_KINDS = ("Deployment", "ReplicaSet")
SCOPES = {"workload": "workloads", "service": "Services", "object": "objects"}

ObjectKey = tuple[str, str, str, str, str]  # unit, file, kind, namespace, name


@dataclass
class Tally:
    units: int = 0
    files: int = 0
    checked: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    findings: Counter[str] = field(default_factory=Counter)
    objects: dict[str, set[ObjectKey]] = field(default_factory=dict)
    scopes: dict[str, set[str]] = field(default_factory=dict)
    severities: dict[str, set[str]] = field(default_factory=dict)

    def denominator(self, scope: str) -> int:
        if scope == "workload":
            return sum(self.checked[kind] for kind in WORKLOAD_KINDS)
        if scope == "service":
            return self.checked["Service"]
        return sum(self.checked.values()) + sum(self.skipped.values())


def units_of(paths: Sequence[Path], split: int) -> list[list[Path]]:
    """The inputs of each run: whole directories at depth ``split``, files above it."""
    units: dict[Path, list[Path]] = {}
    for root in paths:
        if split == 0 or root.is_file():
            units[root] = [root]
            continue
        for file in sorted(root.rglob("*")):
            if not file.is_file() or file.suffix not in MANIFEST_SUFFIXES:
                continue
            parts = file.relative_to(root).parts
            if any(part.startswith(".") for part in parts):
                continue
            if len(parts) > split:
                folder = root.joinpath(*parts[:split])
                units[folder] = [folder]
            else:
                units.setdefault(file.parent / "(files)", []).append(file)
    return [units[key] for key in sorted(units)]


def run(command: str, unit: Sequence[Path]) -> dict[str, Any]:
    argv = [sys.executable, "-m", "rolloutplan", command, "--format", "json", "--no-cache"]
    done = subprocess.run([*argv, *map(str, unit)], capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1, 2) or not done.stdout:
        raise SystemExit(f"rolloutplan failed ({done.returncode}) on {unit}: {done.stderr}")
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def scope_of(finding: dict[str, Any]) -> str:
    kind = finding.get("kind")
    if kind in WORKLOAD_KINDS:
        return "workload"
    return "service" if kind == "Service" else "object"


def add(tally: Tally, name: str, report: dict[str, Any]) -> None:
    summary = report["summary"]
    tally.units += 1
    tally.files += summary["files"]
    tally.checked.update(summary["checked"])
    tally.skipped.update(summary["skipped"])
    for finding in report["findings"]:
        rule = finding["rule"]
        tally.findings[rule] += 1
        key = (name, finding["file"], str(finding.get("kind")), str(finding.get("namespace")),
               str(finding.get("name")))  # fmt: skip
        tally.objects.setdefault(rule, set()).add(key)
        tally.scopes.setdefault(rule, set()).add(scope_of(finding))
        tally.severities.setdefault(rule, set()).add(finding["severity"])


def counts(counter: Counter[str]) -> str:
    return ", ".join(f"{kind} {number}" for kind, number in sorted(counter.items())) or "none"


def table(tally: Tally) -> Iterable[str]:
    yield (f"{tally.units} runs, {tally.files} files; checked: {counts(tally.checked)}; "
           f"skipped: {counts(tally.skipped)}.")  # fmt: skip
    yield ""
    yield "| rule | severity | findings | fires on | of | share |"
    yield "| --- | --- | ---: | ---: | --- | ---: |"
    for rule in sorted(tally.findings):
        scopes = tally.scopes[rule]
        scope = scopes.pop() if len(scopes) == 1 else "object"
        total = tally.denominator(scope)
        fired = len(tally.objects[rule])
        share = f"{100 * fired / total:.1f}%" if total else "-"
        severity = "/".join(sorted(tally.severities[rule]))
        yield (f"| {rule} | {severity} | {tally.findings[rule]} | {fired} | "
               f"{total} {SCOPES[scope]} | {share} |")  # fmt: skip
    if not tally.findings:
        yield "| (none) | | 0 | 0 | | |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    parser.add_argument("--split", type=int, default=0, help="lint each directory N levels down")
    parser.add_argument("--command", choices=("check", "lint"), default="check")
    args = parser.parse_args()
    tally = Tally()
    for unit in units_of(args.paths, args.split):
        add(tally, " ".join(map(str, unit)), run(args.command, unit))
    print("\n".join(table(tally)))


if __name__ == "__main__":
    main()
