"""The Deployment and ReplicaSet cases of fixtures/apiserver-cases (transcribed from Kubernetes'
own validation tests) run through ``rolloutplan lint`` as apps/v1 manifests.

Each case is built from its base object (design note §15) plus its mutations, written as JSON
and linted (updates with ``--previous``).  An invalid case must give, for its primary error and
every other error the case lists, a finding of the mapped rule at exactly the server's field
path; a valid case must give no error.  Where an apps/v1 manifest behaves differently from the
internal object the unit test validated, ``V1_OVERRIDES`` states what rolloutplan must report
instead, and why.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rolloutplan.model.source import format_field_path
from rolloutplan.validate.apiserver import workload
from tests.conftest import FIXTURES, RunCli

CASES_FILE = FIXTURES / "apiserver-cases" / "apiserver-cases.json"
CASES = [
    case
    for case in json.loads(CASES_FILE.read_text(encoding="utf-8"))
    if case["kind"] in ("Deployment", "ReplicaSet")
]

# podtest.MakePodSpec(): one container "ctr", the fields defaulting would fill set explicitly
POD_SPEC = {
    "containers": [
        {
            "name": "ctr",
            "image": "image",
            "imagePullPolicy": "IfNotPresent",
            "terminationMessagePolicy": "File",
            "terminationMessagePath": "/dev/termination-log",
        }
    ],
    "dnsPolicy": "ClusterFirst",
    "restartPolicy": "Always",
    "terminationGracePeriodSeconds": 30,
}


def _workload(kind: str, labels: dict[str, str], spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": "abc", "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": labels},
            **spec,
            "template": {"metadata": {"labels": labels}, "spec": copy.deepcopy(POD_SPEC)},
        },
    }


# The internal-only rollbackTo of validDeployment() is left out: apps/v1 has no such field.
BASES: dict[str, dict[str, Any]] = {
    "deploy-apps-test-valid": _workload(
        "Deployment",
        {"name": "abc"},
        {
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1},
            }
        },
    ),
    "deploy-apps-test-update": _workload(
        "Deployment", {"a": "b"}, {"replicas": 0, "strategy": {"type": "Recreate"}}
    ),
    "rs-apps-test-valid": _workload("ReplicaSet", {"a": "b"}, {}),
    "rs-apps-test-update": _workload("ReplicaSet", {"a": "b"}, {}),
}

# The rule each server error maps to, by field path (regex), error type and message hint.
RULE_MAP: tuple[tuple[str, str, str, str], ...] = (
    (r"metadata\.name", ".*", "", "RP201"),
    (r"metadata\.namespace", ".*", "", "RP202"),
    (r"metadata\.labels|spec\.template\.labels|spec\.selector\.matchLabels", ".*", "", "RP203"),
    (r"metadata\.annotations", ".*", "", "RP204"),
    (r"spec\.selector", "Invalid", "field is immutable", "RP205"),
    (r"spec\.selector", "Required", "", "RP206"),
    (r"spec\.selector(\.matchExpressions.*)?", "Invalid", "", "RP207"),
    (r"spec\.template\.metadata\.labels", "Invalid", "", "RP208"),
    (r"spec\.(replicas|minReadySeconds|revisionHistoryLimit)", "Invalid", "", "RP209"),
    (r"spec\.progressDeadlineSeconds", "Invalid", "", "RP210"),
    (r"spec\.strategy(\.rollingUpdate)?", ".*", "", "RP211"),
    (r"spec\.strategy\.rollingUpdate\.max(Surge|Unavailable)", ".*", "", "RP212"),
    (r"spec\.template\.spec\.restartPolicy", ".*", "", "RP214"),
    (r"spec\.template\.spec\.(ephemeralContainers|activeDeadlineSeconds)", ".*", "", "RP215"),
    (r"spec\.template\.spec\.containers", "Required", "", "RP216"),
    (r".*ontainers\[\d+\]\.name", ".*", "", "RP217"),
    (r".*ontainers\[\d+\]\.image", ".*", "", "RP218"),
    (r".*ontainers\[\d+\]\.ports\[\d+\]\.hostPort", "Duplicate", "", "RP221"),
    (r".*ontainers\[\d+\]\.ports\[\d+\]\.(containerPort|hostPort|protocol)", ".*", "", "RP219"),
    (r".*ontainers\[\d+\]\.ports\[\d+\]\.name", ".*", "", "RP220"),
    (r".*initContainers\[\d+\]\.(lifecycle|\w+Probe)", "Forbidden", "", "RP231"),
    (r".*ontainers\[\d+\]\.\w+Probe(\..*)?", ".*", "", "RP222"),
    (r".*ontainers\[\d+\]\.lifecycle\..*", ".*", "", "RP224"),
    (r".*ontainers\[\d+\]\.(env|envFrom)\[\d+\].*", ".*", "", "RP225"),
    (r".*ontainers\[\d+\]\.resources\..*", ".*", "", "RP226"),
    (r".*ontainers\[\d+\]\.volumeMounts\[\d+\]\.name", "NotFound", "", "RP227"),
    (r".*ontainers\[\d+\]\.restartPolicy", ".*", "", "RP230"),
    (r".*ontainers\[\d+\]\.(imagePullPolicy|terminationMessagePolicy)", ".*", "", "RP232"),
)


def rule_for(field: str, error_type: str, hint: str = "") -> str:
    for pattern, types, hint_pattern, rule in RULE_MAP:
        if (
            re.fullmatch(pattern, field)
            and re.fullmatch(types, error_type)
            and hint_pattern in hint
        ):
            return rule
    raise AssertionError(f"no rule mapped for {field} ({error_type})")


@dataclass(frozen=True)
class Override:
    """What an apps/v1 manifest gives instead of the unit test's expectation."""

    expect: tuple[tuple[str, str], ...]  # (rule, field) findings that must be there; () = valid
    reason: str
    absent: tuple[str, ...] = ()  # fields the case lists that must not be reported
    error_count: int | None = None


NAMESPACE_FROM_CONTEXT = (
    "the namespace of a manifest without one comes from the kubectl context (rolloutplan's "
    "--namespace, default 'default'); the server never sees an empty namespace (v1_note)"
)
OLD_NAME_UNMATCHED = (
    "the old object of the unit test has name '' so that ValidateObjectMetaUpdate reports the "
    "name as changed; a real object cannot be nameless, and lint --previous finds the old "
    "object by kind, namespace and name, so the new one is checked as a create: no metadata.name "
    "error, and no selector-immutability error either"
)
SCHEMA_REQUIRES = (
    "the OpenAPI schema marks {field} required, so the schema stage reports RP101 there and the "
    "API-server checks (which only run on objects that pass the schema) are not reached"
)
DEFAULTED = "core/v1 defaulting fills {what} before validation, so an apps/v1 manifest is valid"
PRESTOP = "spec.template.spec.containers[0].lifecycle.preStop"

V1_OVERRIDES: dict[str, Override] = {
    "deploy-missing-name": Override(
        (("RP101", "spec"),),
        "the test's object has no spec at all; " + SCHEMA_REQUIRES.format(field="spec"),
    ),
    "deploy-maxsurge-not-percent": Override(
        (("RP212", "spec.strategy.rollingUpdate.maxSurge"),),
        'apps/v1 defaults the omitted maxUnavailable to "25%", so it is neither invalid nor '
        "zero; only the maxSurge error remains (v1_note)",
        absent=("spec.strategy.rollingUpdate.maxUnavailable",),
    ),
    "deploy-rollback-revision-negative": Override(
        (("RP102", "spec.rollbackTo"),),
        "rollbackTo does not exist in apps/v1: the strict schema reports the unknown field "
        "(v1_note)",
    ),
    "deploy-update-invalid-selector": Override(
        (("RP203", "spec.selector.matchLabels"), ("RP207", "spec.selector")),
        OLD_NAME_UNMATCHED,
        absent=("metadata.name",),
        error_count=2,
    ),
    "deploy-update-invalid-pod": Override(
        (
            ("RP203", "spec.template.labels"),
            ("RP216", "spec.template.spec.containers"),
            ("RP208", "spec.template.metadata.labels"),
        ),
        OLD_NAME_UNMATCHED,
        absent=("metadata.name",),
        error_count=3,
    ),
    "rs-update-invalid-selector": Override(
        (("RP203", "spec.selector.matchLabels"), ("RP207", "spec.selector")),
        OLD_NAME_UNMATCHED,
        absent=("metadata.name",),
        error_count=2,
    ),
    "rs-update-invalid-pod": Override(
        (
            ("RP203", "spec.template.labels"),
            ("RP216", "spec.template.spec.containers"),
            ("RP208", "spec.template.metadata.labels"),
        ),
        OLD_NAME_UNMATCHED,
        absent=("metadata.name",),
        error_count=3,
    ),
    "rs-missing-namespace": Override((), NAMESPACE_FROM_CONTEXT),
    "rs-rw-disk-no-namespace": Override((), NAMESPACE_FROM_CONTEXT),
    "rs-nil-selector": Override(
        (("RP101", "spec.selector"),), SCHEMA_REQUIRES.format(field="spec.selector")
    ),
    "rs-invalid-label-2": Override(
        (("RP101", "spec.selector"),),
        "the case also removes the selector; " + SCHEMA_REQUIRES.format(field="spec.selector"),
        absent=("metadata.labels",),
    ),
    "rs-no-template": Override(
        (
            ("RP208", "spec.template.metadata.labels"),
            ("RP216", "spec.template.spec.containers"),
        ),
        DEFAULTED.format(what="restartPolicy: Always in the (empty) v1 template")
        + "; only the restartPolicy error of the unit test disappears",
        absent=("spec.template.spec.restartPolicy",),
    ),
    "tpl-port-protocol-missing": Override((), DEFAULTED.format(what="the port protocol (TCP)")),
    "tpl-ctr-terminationmessagepolicy-empty": Override(
        (), DEFAULTED.format(what="an empty terminationMessagePolicy (File)")
    ),
    "tpl-ctr-prestop-http-no-path": Override((), DEFAULTED.format(what='httpGet.path ("/")')),
    "tpl-ctr-prestop-http-no-scheme": Override((), DEFAULTED.format(what="httpGet.scheme (HTTP)")),
    "tpl-ctr-prestop-http-no-port": Override(
        (("RP101", f"{PRESTOP}.httpGet.port"),),
        SCHEMA_REQUIRES.format(field="httpGet.port")
        + " (a real server decodes the missing port as 0 and reports the same path)",
    ),
    "tpl-ctr-prestop-tcp-no-port": Override(
        (("RP101", f"{PRESTOP}.tcpSocket.port"),),
        SCHEMA_REQUIRES.format(field="tcpSocket.port"),
    ),
    "tpl-ctr-liveness-tcp-no-port": Override(
        (("RP101", "spec.template.spec.containers[0].livenessProbe.tcpSocket.port"),),
        SCHEMA_REQUIRES.format(field="tcpSocket.port"),
    ),
    "tpl-env-fieldpath-missing": Override(
        (("RP101", "spec.template.spec.containers[0].env[0].valueFrom.fieldRef.fieldPath"),),
        SCHEMA_REQUIRES.format(field="fieldRef.fieldPath"),
    ),
    "tpl-ctr-env-name-invalid": Override(
        (),
        "the unit test validates with strict env var names; since Kubernetes 1.32 "
        "(RelaxedEnvironmentVariableValidation, GA in 1.34) the server accepts any printable "
        "ASCII but '=', so 'ev!1' is valid on the default (newest) version",
    ),
}

# Warnings (not rejections) an apps/v1 manifest of the case must also give.
WARNINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "tpl-probe-named-port-undeclared-ok": (
        ("RP223", "spec.template.spec.containers[0].livenessProbe.httpGet.port"),
    ),
}


def _tokens(path: str) -> list[str | int]:
    return [int(t) if t.isdigit() else t for t in re.findall(r"[^.\[\]]+", path)]


def apply_mutations(base: dict[str, Any], mutations: list[dict[str, Any]]) -> dict[str, Any]:
    obj = copy.deepcopy(base)
    for mutation in mutations:
        if mutation["path"] == "(whole object)":
            obj = {"apiVersion": base["apiVersion"], "kind": base["kind"], **mutation["value"]}
            continue
        *parents, last = _tokens(mutation["path"])
        node: Any = obj
        for part in parents:
            node = node.setdefault(part, {}) if isinstance(part, str) else node[part]
        if mutation.get("op") == "remove":
            node.pop(last, None)
        else:
            node[last] = copy.deepcopy(mutation["value"])
    return obj


def write(tmp_path: Path, name: str, obj: dict[str, Any]) -> Path:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(obj, indent=2), encoding="utf-8")
    return path


def lint(run_cli: RunCli, tmp_path: Path, case: dict[str, Any]) -> list[dict[str, Any]]:
    base = BASES[case["base"]]
    if case["operation"] == "update":
        old = apply_mutations(base, case["mutation"]["old"])
        new = apply_mutations(base, case["mutation"]["new"])
        old["metadata"]["resourceVersion"], new["metadata"]["resourceVersion"] = "1", "2"
        args = ("--previous", write(tmp_path, "old", old), write(tmp_path, "new", new))
    else:
        args = (write(tmp_path, "object", apply_mutations(base, case["mutation"])),)
    result = run_cli("lint", "--format", "json", *args)
    findings: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    assert "RP000" not in {f["rule"] for f in findings}
    return findings


def expected(case: dict[str, Any]) -> set[tuple[str, str]]:
    """(rule, field) of the case's primary error and of every error it lists."""
    errors = [{"field": case["expected_error_field"], "type": case["expected_error_type"]}]
    errors += case.get("expected_errors", [])
    hint = case.get("detail_hint", "")
    return {
        (
            rule_for(e["field"], e["type"], hint if e["field"] == errors[0]["field"] else ""),
            e["field"],
        )
        for e in errors
    }


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(run_cli: RunCli, tmp_path: Path, case: dict[str, Any]) -> None:
    findings = lint(run_cli, tmp_path, case)
    errors = [f for f in findings if f["severity"] == "error"]
    found = {(f["rule"], f["field"]) for f in findings}
    override = V1_OVERRIDES.get(case["id"])
    if override is not None:
        assert override.reason
        assert set(override.expect) <= found
        assert not {f["field"] for f in errors} & set(override.absent)
        if not override.expect:
            assert errors == []
        if override.error_count is not None:
            assert len(errors) == override.error_count
    elif case["valid"]:
        assert errors == []
    else:
        assert expected(case) <= found
        if "expected_error_count" in case:
            assert len(errors) == case["expected_error_count"]
    assert set(WARNINGS.get(case["id"], ())) <= found


def test_the_case_file_holds_the_104_workload_cases() -> None:
    assert len(CASES) == 104
    assert set(V1_OVERRIDES) | set(WARNINGS) <= {c["id"] for c in CASES}


def test_every_override_changes_the_unit_tests_expectation() -> None:
    """An override must differ from what the case itself says, or it would hide nothing."""
    by_id = {c["id"]: c for c in CASES}
    for case_id, override in V1_OVERRIDES.items():
        case = by_id[case_id]
        if case["valid"]:
            assert override.expect, case_id
        elif (
            case_id != "deploy-rollback-revision-negative"
        ):  # spec.rollback.version maps to no rule
            assert set(override.expect) != expected(case) or override.absent, case_id


@pytest.mark.parametrize(
    ("version", "rejected"), [("1.31", True), ("1.32", False), ("1.37", False), (None, False)]
)
def test_env_var_names_follow_the_kubernetes_version(version: str | None, rejected: bool) -> None:
    """The engine does not pass the version yet (the newest rules apply); when it does, the
    strict names of 1.30 and 1.31 apply to them (tpl-ctr-env-name-invalid)."""
    case = next(c for c in CASES if c["id"] == "tpl-ctr-env-name-invalid")
    obj = apply_mutations(BASES[case["base"]], case["mutation"])
    violations = workload.validate("Deployment", obj, kubernetes_version=version)
    fields = {(v.rule_id, format_field_path(v.field)) for v in violations}
    assert (("RP225", case["expected_error_field"]) in fields) is rejected
