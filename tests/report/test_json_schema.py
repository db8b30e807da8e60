"""schemas/output.schema.json describes exactly what `--format json` writes.

Every command's JSON output over the fixtures validates against it (with no additional
properties anywhere), and the schema rejects documents that lack a required member.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import FIXTURES, ROOT, RunCli

SCHEMA = json.loads((ROOT / "schemas" / "output.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
SEED = FIXTURES / "seed"
PLANS = FIXTURES / "plans"
BAD = FIXTURES / "bad"
RULES = FIXTURES / "rules"
SEED_SERVICES = [
    SEED / "deployment-hello-server.yaml",
    SEED / "service-clusterip.yaml",
    SEED / "service-nodeport.yaml",
    SEED / "service-loadbalancer.yaml",
    SEED / "service-externalname.yaml",
]
NGINX = SEED / "deployment-nginx.yaml"
PREVIOUS_NGINX = ["--previous", NGINX]

LINT = {
    "seed": [SEED],
    "yaml11": [FIXTURES / "yaml11"],
    "bad": [BAD],
    "missing-path": [FIXTURES / "no-such-file.yaml", NGINX],
    "rule-fixtures": [RULES],
    "waiver": [RULES / "invalid-suppression"],
    "strict-kinds": ["--strict-kinds", BAD / "unknown-kind.yaml"],
    "previous": [*PREVIOUS_NGINX, PLANS / "deployment-nginx-new-selector.yaml"],
}
PLAN_RULES = (
    "endpoints-drop-to-zero",
    "mixed-version-window",
    "recreate-downtime",
    "service-loses-new-pods",
    "surge-doubles-pods",
    "wave-exceeds-progress-deadline",
)  # not all of fixtures/rules: its dozens of default/web Deployments and Services make
# every plan list every Service (26 MB of JSON)
PLAN = {
    **{f"plans/{path.name}": [path] for path in sorted(PLANS.glob("*.yaml"))},
    "seed": [SEED],
    "bad-image-never-ready": [
        "--new-pods",
        "never-ready",
        SEED / "deployment-hello-server-bad-image.yaml",
        SEED / "service-clusterip.yaml",
    ],
    "live-state": [PLANS / "live-hello-server.yaml"],
    "recreate-with-service": [
        PLANS / "hello-server-recreate.yaml",
        SEED / "service-clusterip.yaml",
    ],
    "previous-scale": [*PREVIOUS_NGINX, PLANS / "deployment-nginx-scaled.yaml"],
    "previous-scale-then-rollout": [
        *PREVIOUS_NGINX,
        PLANS / "deployment-nginx-scaled-and-updated.yaml",
    ],
    "previous-refused": [*PREVIOUS_NGINX, PLANS / "deployment-nginx-new-selector.yaml"],
    "previous-no-change": [*PREVIOUS_NGINX, NGINX],
    "pod-startup": ["--pod-startup", "30", PLANS / "deployment-probes.yaml"],
    **{f"rules/{name}": [RULES / name] for name in PLAN_RULES},
    "nothing-to-plan": [SEED / "service-clusterip.yaml"],
    "autoscaled": [FIXTURES / "autoscaled" / "web.yaml"],
    "autoscaled-live": [FIXTURES / "autoscaled" / "live.yaml"],
    **{f"quota/{path.name}": [path] for path in sorted((FIXTURES / "quota").glob("*.yaml"))},
    "nodes-stall": ["--nodes", "3", FIXTURES / "scheduling" / "redis-cache.yaml"],
    "zones-stall": ["--nodes", "6", "--zones", "3", FIXTURES / "scheduling"],
    "zones-only": ["--zones", "4", FIXTURES / "scheduling" / "zone-anti-affinity.yaml"],
    "nodes-live-tainted": [FIXTURES / "scheduling" / "live-tainted"],
    "nodes-live-zones": [FIXTURES / "scheduling" / "live-zones"],
    **{
        f"nodes-{name}": [FIXTURES / "scheduling" / name]
        for name in (
            "live-node-affinity",
            "live-cordoned",
            "live-maintenance",
            "live-all-tainted",
            "live-selector-typo",
        )
    },
    "nodes-live-zone-unlabelled": [FIXTURES / "scheduling" / "live-zone-unlabelled"],
    "nodes-match-label-keys": ["--nodes", "3", FIXTURES / "scheduling" / "redis-cache-hash.yaml"],
}
SERVICES = {
    "seed": SEED_SERVICES,
    "rule-fixtures": [RULES],
    "no-service": [SEED / "deployment-nginx.yaml"],
}


def output(run_cli: RunCli, command: str, args: list[str | Path]) -> dict[str, Any]:
    result = run_cli(command, "--format", "json", *args)
    assert result.exit_code in (0, 1, 2), result.stderr
    return json.loads(result.stdout)


def assert_valid(document: dict[str, Any]) -> None:
    errors = sorted(VALIDATOR.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_the_schema_is_a_valid_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("args", LINT.values(), ids=LINT.keys())
def test_lint_output_validates(run_cli: RunCli, args: list[str | Path]) -> None:
    document = output(run_cli, "lint", args)
    assert_valid(document)
    assert "plans" not in document and "services" not in document


def test_lint_of_the_fixtures_covers_every_kind_of_finding(run_cli: RunCli) -> None:
    document = output(run_cli, "lint", [BAD, RULES, FIXTURES / "no-such-file.yaml"])
    findings = document["findings"]
    assert {f["severity"] for f in findings} == {"error", "warning", "info"}
    assert any(f["line"] is None for f in findings)  # the unreadable path
    assert any(f["kind"] is None for f in findings)  # findings about no object
    assert document["suppressed"]


@pytest.mark.parametrize("args", PLAN.values(), ids=PLAN.keys())
def test_plan_output_validates(run_cli: RunCli, args: list[str | Path]) -> None:
    document = output(run_cli, "plan", args)
    assert_valid(document)
    assert {"plans", "bareReplicaSets", "deletedDeployments"} <= document.keys()


def test_plan_outputs_cover_every_change_and_outcome(run_cli: RunCli) -> None:
    plans = [p for args in PLAN.values() for p in output(run_cli, "plan", args)["plans"]]
    assert {p["change"] for p in plans} == {
        "rollout",
        "scale",
        "scale-then-rollout",
        "no-change",
        "refused",
    }
    assert {p["outcome"] for p in plans} == {
        "complete",
        "stalled",
        "paused",
        "no-rollout",
        "refused",
    }
    timelines = [t for p in plans for t in p["services"]]
    assert any(t["zeroEndpointWindows"] for t in timelines)
    assert any(t["mixedVersionWindow"] for t in timelines)


@pytest.mark.parametrize("args", SERVICES.values(), ids=SERVICES.keys())
def test_services_output_validates(run_cli: RunCli, args: list[str | Path]) -> None:
    document = output(run_cli, "services", args)
    assert_valid(document)
    assert "services" in document


def test_check_output_validates(run_cli: RunCli) -> None:
    assert_valid(output(run_cli, "check", [SEED, PLANS / "hello-server-recreate.yaml"]))


def test_stdin_output_validates(run_cli: RunCli) -> None:
    result = run_cli(
        "plan", "--format", "json", "-", stdin=(SEED / "deployment-nginx.yaml").read_bytes()
    )
    document = json.loads(result.stdout)
    assert_valid(document)
    assert document["findings"][0]["file"] == "<stdin>"


@pytest.fixture
def full_document(run_cli: RunCli) -> dict[str, Any]:
    """A valid plan document with findings, a plan, its steps and Service timelines."""
    document = output(run_cli, "plan", [BAD / "typo-field.yaml", *SEED_SERVICES])
    assert_valid(document)
    assert document["findings"] and document["plans"][0]["services"]
    return document


@pytest.mark.parametrize("key", ["schemaVersion", "tool", "findings", "suppressed", "summary"])
def test_a_document_missing_a_required_member_is_rejected(
    full_document: dict[str, Any], key: str
) -> None:
    broken = {k: v for k, v in full_document.items() if k != key}
    assert not VALIDATOR.is_valid(broken)


@pytest.mark.parametrize(
    ("path", "change"),
    [
        (("findings", 0), lambda f: f.pop("rule")),
        (("findings", 0), lambda f: f.update(extra=1)),
        (("summary",), lambda s: s.pop("warning")),
        (("plans", 0), lambda p: p.pop("outcome")),
        (("plans", 0, "steps", 0), lambda s: s.update(kind="jump")),
        (("plans", 0, "services", 0), lambda t: t.pop("endpoints")),
        ((), lambda d: d.pop("bareReplicaSets")),
        ((), lambda d: d.update(schemaVersion=2)),
    ],
    ids=[
        "finding-without-rule", "finding-extra-member", "summary-without-warning",
        "plan-without-outcome", "unknown-step-kind", "timeline-without-endpoints",
        "plans-without-bare-replicasets", "schema-version-2",
    ],
)  # fmt: skip
def test_a_broken_member_is_rejected(
    full_document: dict[str, Any], path: tuple[str | int, ...], change: Any
) -> None:
    broken = copy.deepcopy(full_document)
    target: Any = broken
    for part in path:
        target = target[part]
    change(target)
    assert not VALIDATOR.is_valid(broken)


def test_a_suppressed_entry_needs_its_reason(run_cli: RunCli) -> None:
    document = output(run_cli, "lint", [RULES / "invalid-suppression"])
    assert_valid(document)
    del document["suppressed"][0]["reason"]
    assert not VALIDATOR.is_valid(document)
