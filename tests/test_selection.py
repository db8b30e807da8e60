"""--select/--ignore (and select/ignore in the config) prune the work: a selection's
findings are exactly the selected subset of all of them, the other rules' findings are not
located, and a cross-file analysis none of whose rules is selected does not run."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from rolloutplan import collect, engine
from rolloutplan.analysis import plan_risks, reachability, risks
from rolloutplan.config import RuleSelection
from rolloutplan.model.finding import Violation
from tests.cache.test_result_cache import cached_count
from tests.conftest import FIXTURES, RunCli

# one apply unit with findings of every stage: RP014 and a waiver, RP101/RP102 (a Deployment
# the server rejects: plan names the rules), RP301/RP302 per file; RP307, RP402, RP406 and
# RP407 across files
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: shop
{annotations}spec:
  {replicas}: {count}
  selector: {{matchLabels: {{app: {app}}}}}
  template:
    metadata: {{labels: {{app: {app}{extra}}}}}
    spec:
      containers:
      - name: {app}
        image: "shop/{app}:{tag}"
        ports: [{{name: http, containerPort: {port}}}]
{probe}"""
WAIVERS = """\
  annotations:
    rolloutplan.io/ignore-mutable-image-tag: "pinned by digest at deploy time"
    rolloutplan.io/ignore-no-readiness-probe: ""
"""
PROBE = "        readinessProbe: {httpGet: {path: /, port: 8080}}\n"
SERVICE = """\
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{name: web, port: 80, targetPort: web}]
"""


def _deployment(name: str, app: str = "api", **changes: Any) -> str:
    values = {
        "annotations": "", "replicas": "replicas", "count": 2, "app": app, "extra": "",
        "tag": "2.1", "port": 8080, "probe": PROBE,
    }  # fmt: skip
    values.update(changes)
    return DEPLOYMENT.format(name=name, **values)


def _write_corpus(root: Path) -> Path:
    apps = root / "apps"
    apps.mkdir(parents=True)
    stable = _deployment("api", annotations=WAIVERS, count=1, tag="latest", probe="")
    (apps / "api.yaml").write_text(stable + SERVICE)
    canary = _deployment("api-canary", extra=", track: canary")
    (apps / "api-canary.yaml").write_text(canary)
    (apps / "copy.yaml").write_text(canary.replace(PROBE, ""))
    broken = _deployment("worker", "worker", replicas="replica", port='"80"')
    (apps / "broken.yaml").write_text(broken)
    previous = root / "previous" / "apps"
    previous.mkdir(parents=True)
    (previous / "broken.yaml").write_text(_deployment("worker", "worker"))
    return apps


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return _write_corpus(tmp_path)


EVERY_STAGE = {"RP014", "RP101", "RP102", "RP301", "RP302", "RP307", "RP402", "RP406", "RP407"}
SELECTIONS = [
    ("--select", "RP1"),
    ("--select", "RP3"),
    ("--ignore", "RP3"),
    ("--select", "RP4"),
    ("--select", "RP2,RP307"),
    ("--ignore", "RP1,RP301,invalid-suppression"),
    ("--select", "RP4", "--ignore", "RP406"),
]


def _selection(args: tuple[str, ...]) -> RuleSelection:
    chosen: dict[str, tuple[str, ...]] = {"--select": (), "--ignore": ()}
    for option, value in zip(args[::2], args[1::2], strict=True):
        chosen[option] = tuple(value.split(","))
    return RuleSelection(select=chosen["--select"], ignore=chosen["--ignore"])


def _json(run_cli: RunCli, *args: str | Path) -> dict[str, Any]:
    result = run_cli(*args, "--format", "json", "--jobs", "1")
    assert result.exit_code in (0, 1)
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _subset(full: dict[str, Any], selection: RuleSelection) -> dict[str, Any]:
    return {
        "findings": [f for f in full["findings"] if selection.enabled(f["rule"])],
        "suppressed": [s for s in full["suppressed"] if selection.enabled(s["rule"])],
    }


def _findings(document: dict[str, Any]) -> dict[str, Any]:
    return {"findings": document["findings"], "suppressed": document["suppressed"]}


@pytest.mark.parametrize("selection", SELECTIONS, ids=" ".join)
def test_a_selection_reports_exactly_its_subset(
    run_cli: RunCli, corpus: Path, selection: tuple[str, ...]
) -> None:
    inputs = (corpus, FIXTURES / "realworld")
    full = _json(run_cli, "lint", "--no-cache", *inputs)
    rules = {f["rule"] for f in full["findings"]} | {s["rule"] for s in full["suppressed"]}
    assert rules >= EVERY_STAGE
    wanted = _subset(full, _selection(selection))
    assert _findings(_json(run_cli, "lint", "--no-cache", *selection, *inputs)) == wanted
    # through the cache too: a cold run that stores, then a warm one
    assert _findings(_json(run_cli, "lint", *selection, *inputs)) == wanted
    assert _findings(_json(run_cli, "lint", *selection, *inputs)) == wanted


def test_the_config_file_selects_as_the_command_line_does(
    run_cli: RunCli, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(corpus.parent)
    full = _json(run_cli, "lint", "--no-cache", "apps")
    Path(".rolloutplan.yaml").write_text(
        "select: [RP3, RP4]\nignore: [RP406, no-readiness-probe]\n"
    )
    wanted = _subset(full, RuleSelection(select=("RP3", "RP4"), ignore=("RP406", "RP301")))
    assert wanted["findings"]
    assert _findings(_json(run_cli, "lint", "--no-cache", "apps")) == wanted
    assert _findings(_json(run_cli, "lint", "apps")) == wanted


@pytest.mark.parametrize("command", ["plan", "check"])
def test_plans_do_not_depend_on_the_selection(run_cli: RunCli, corpus: Path, command: str) -> None:
    """The Deployment the server rejects is refused with its rules named, selected or not."""
    previous = ("--previous", corpus.parent / "previous")
    full = _json(run_cli, command, "--no-cache", *previous, corpus)
    for selection in (("--select", "RP3"), ("--ignore", "RP1,RP3")):
        pruned = _json(run_cli, command, "--no-cache", *previous, *selection, corpus)
        assert pruned["plans"] == full["plans"]
        assert _findings(pruned) == _subset(full, _selection(selection))
    refused = json.dumps([p for p in full["plans"] if p["deployment"]["name"] == "worker"])
    assert "RP102 spec.replica (unknown-field)" in refused


def test_the_service_table_does_not_depend_on_the_selection(run_cli: RunCli, corpus: Path) -> None:
    full = _json(run_cli, "services", "--no-cache", corpus)
    pruned = _json(run_cli, "services", "--no-cache", "--select", "RP1", corpus)
    assert full["services"] and pruned["services"] == full["services"]


Calls = dict[str, list[Any]]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """What the stages that a selection can skip were called with (in this process: the
    runs use --jobs 1 and --no-cache)."""
    seen: Calls = {}

    def spy(owner: object, name: str, record: Callable[..., Any] = lambda *a: a) -> None:
        original = getattr(owner, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            seen.setdefault(name, []).append(record(*args))
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, wrapper)

    def located_rules(_document: Any, _ref: Any, violations: Iterable[Violation]) -> Any:
        return [v.rule_id for v in violations]

    spy(collect, "_located", located_rules)
    spy(collect, "documents_by_ref")  # RP407 reads the files again for a Deployment's copies
    spy(reachability, "analyse")
    spy(risks, "overlapping_selectors")
    spy(risks, "deployment_risks")
    spy(plan_risks, "plan_risks")
    return seen


def _located_rules(calls: Calls) -> set[str]:
    return {rule for rules in calls.get("_located", []) for rule in rules}


def test_unselected_findings_are_not_located_and_their_stages_do_not_run(
    run_cli: RunCli, corpus: Path, calls: Calls
) -> None:
    previous = ("--previous", corpus.parent / "previous")
    run_cli("check", "--no-cache", "--jobs", "1", *previous, corpus)
    assert {"analyse", "overlapping_selectors", "deployment_risks", "plan_risks"} <= set(calls)
    assert {"RP101", "RP301", "RP307", "RP402"} <= _located_rules(calls)
    calls.clear()
    pruned = run_cli("check", "--no-cache", "--jobs", "1", "--select", "RP1", *previous, corpus)
    assert "RP102" in pruned.stdout
    assert _located_rules(calls) == {"RP101", "RP102"}
    skipped = {"analyse", "overlapping_selectors", "deployment_risks", "plan_risks"}
    assert skipped.isdisjoint(calls)
    assert "documents_by_ref" not in calls


def test_a_selection_runs_only_the_analyses_of_its_rules(
    run_cli: RunCli, corpus: Path, calls: Calls
) -> None:
    run_cli("lint", "--no-cache", "--jobs", "1", "--select", "RP307", corpus)
    assert set(calls) == {"overlapping_selectors", "_located"}
    assert _located_rules(calls) == {"RP307"}


STAGES = {
    "analysis/risks.py": collect.DEPLOYMENT_RISKS
    | {collect.BARE_REPLICA_SET_RISK, collect.OVERLAPPING_SELECTORS},
    "analysis/reachability.py": collect.REACHABILITY,
    "analysis/plan_risks.py": engine.PLAN_RISKS,
    "analysis/neighbours.py": collect.NEIGHBOUR_RISKS,
}


@pytest.mark.parametrize("module", sorted(STAGES))
def test_each_skippable_stage_lists_the_rules_its_analysis_returns(module: str) -> None:
    """A rule missing from its stage's list would be skipped while selected."""
    source = (Path(collect.__file__).parent / module).read_text(encoding="utf-8")
    assert set(re.findall(r'"(RP\d{3})"', source)) == STAGES[module]


def test_a_warm_run_under_another_selection_is_never_served_fewer_findings(
    run_cli: RunCli, corpus: Path, tmp_path: Path
) -> None:
    """Results computed for a selection locate only its rules' findings: they are kept for
    that selection only.  Full results (every rule) serve any selection, filtered."""
    cache = ("--cache-dir", tmp_path / "cache", "--jobs", "1")
    full = _json(run_cli, "lint", "--no-cache", corpus)
    run_cli("lint", *cache, "--select", "RP1", corpus)  # stores RP1-only results
    again = run_cli("lint", "-v", *cache, corpus)
    assert cached_count(again.stderr) == (0, 4)
    assert _findings(_json(run_cli, "lint", *cache, corpus)) == _findings(full)
    for selection in (("--select", "RP3"), ("--ignore", "RP1")):  # served by the full results
        warm = run_cli("lint", "-v", *cache, *selection, corpus)
        assert cached_count(warm.stderr) == (4, 4)
        assert _findings(_json(run_cli, "lint", *cache, *selection, corpus)) == _subset(
            full, _selection(selection)
        )
    assert cached_count(run_cli("lint", "-v", *cache, "--select", "RP1", corpus).stderr) == (4, 4)
