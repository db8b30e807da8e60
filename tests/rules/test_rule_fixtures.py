"""Every fixture under fixtures/rules/<rule-name>/ gives exactly the findings its markers say.

A line ending in ``# expect: RP201`` (several ids may follow, comma-separated) must carry a
finding of that rule; ``pass-*`` files must give none.  Each file is checked for the rule
of its folder and the rules its markers name (as kube-linter tests each check alone), so
a realistic manifest may trip other rules (a missing readiness probe) without noise.
A file may hold several documents.  Files named ``*.previous.yaml`` are not checked
themselves: they are the current state for the fixture of the same name without
``.previous`` (checked as an update).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rolloutplan.rules import REGISTRY
from tests.conftest import FIXTURES, RunCli

RULES = FIXTURES / "rules"
EXPECT = re.compile(r"#\s*expect:\s*(RP\d{3}(?:\s*,\s*RP\d{3})*)")
FIXTURE_FILES = sorted(p for p in RULES.rglob("*.yaml") if not p.name.endswith(".previous.yaml"))


def expected(path: Path) -> set[tuple[str, int]]:
    found = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = EXPECT.search(line)
        if match:
            found.update((rule.strip(), number) for rule in match.group(1).split(","))
    return found


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(RULES)))
def test_fixture_gives_exactly_its_expected_findings(run_cli: RunCli, path: Path) -> None:
    previous = path.with_name(path.name.replace(".yaml", ".previous.yaml"))
    args = ["plan", "--format", "json", "--fail-on", "info"]  # plan: lint plus plan risks
    if previous.exists():
        args += ["--previous", str(previous)]
    rules = {REGISTRY.by_name[path.parent.name].id} | {rule for rule, _ in expected(path)}
    result = run_cli(*args, "--select", ",".join(sorted(rules)), path)
    findings = {(f["rule"], f["line"]) for f in json.loads(result.stdout)["findings"]}
    if path.name.startswith("pass"):
        assert findings == set()
        assert result.exit_code == 0
    else:
        assert path.name.startswith("fail"), "fixtures are pass-*.yaml or fail-*.yaml"
        assert expected(path), "a fail fixture needs # expect: markers"
        assert findings == expected(path)
        assert result.exit_code == 1
