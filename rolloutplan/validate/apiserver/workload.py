"""Deployments and ReplicaSets as the API server validates them (apps ValidateDeployment,
ValidateReplicaSet and their update rules), after apps/v1 and core/v1 defaulting.

Rules RP206-RP237 (see rolloutplan/rules/workload.py); RP201-RP205 come from ``metadata``,
the template's warnings (RP239-RP248) from ``pod_warnings``.
``kubernetes_version`` ("1.33") selects version-dependent rules; None means the newest.
"""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.validate.apiserver import (
    defaults,
    metadata,
    pod_warnings,
    podspec,
    primitives,
    selectors,
    strategy,
)
from rolloutplan.validate.apiserver.access import mapping
from rolloutplan.validate.apiserver.fielderrors import invalid, nonnegative, required

SELECTOR_REQUIRED = "RP206"
INVALID_SELECTOR = "RP207"
MISMATCH = "RP208"
NEGATIVE_VALUE = "RP209"
NAME_NOT_LABEL = "RP237"


def validate(
    kind: str, data: dict[str, Any], *, kubernetes_version: str | None = None
) -> list[Violation]:
    """What creating this Deployment or ReplicaSet would be refused for (and warnings)."""
    obj = defaults.apply(kind, data)
    spec = obj["spec"]
    violations = metadata.validate_object_meta(obj, primitives.dns1123_subdomain)
    violations += _name_warning(mapping(obj, "metadata"))
    violations += nonnegative(NEGATIVE_VALUE, ("spec", "replicas"), spec.get("replicas"))
    if kind == "ReplicaSet":
        violations += nonnegative(
            NEGATIVE_VALUE, ("spec", "minReadySeconds"), spec.get("minReadySeconds")
        )
    selector_violations, parsed = _selector(spec.get("selector"))
    violations += selector_violations
    if parsed:
        violations += _template_matches(spec)
        violations += podspec.validate_template(
            mapping(spec, "template"), podspec.Options.for_version(kubernetes_version)
        )
    if kind == "Deployment":
        violations += strategy.validate(spec)
    return violations + pod_warnings.warnings(mapping(spec, "template"))


def _name_warning(meta: dict[str, Any]) -> list[Violation]:
    """The server's create warning for a valid name that is not a DNS label: pod names
    and hostnames are derived from it."""
    name = meta.get("name") or ""
    if not name and isinstance(meta.get("generateName"), str):
        name = meta["generateName"][:58] + "xxxxx"  # the server appends 5 random characters
    if not isinstance(name, str) or not name or primitives.dns1123_subdomain(name):
        return []
    problems = primitives.dns1123_label(name)
    if not problems:
        return []
    message = (
        "this is used in Pod names and hostnames, which can result in surprising behavior; "
        f"a DNS label is recommended: [{' '.join(problems)}]"
    )
    field = "name" if meta.get("name") else "generateName"
    return [Violation(NAME_NOT_LABEL, message, ("metadata", field))]


def _selector(selector: Any) -> tuple[list[Violation], bool]:
    """The selector's problems, and whether the server could build it (when it cannot, it
    reports ``invalid label selector`` and skips the whole template)."""
    path = ("spec", "selector")
    if selector is None:
        return [required(SELECTOR_REQUIRED, path)], True
    violations = selectors.validate(selector, path, INVALID_SELECTOR)
    if selectors.is_empty(selector):
        violations.append(
            invalid(SELECTOR_REQUIRED, path, selector, "empty selector is invalid for deployment")
        )
    if violations and not selectors.parses(selector):
        violations.append(invalid(INVALID_SELECTOR, path, selector, "invalid label selector"))
        return violations, False
    return violations, True


def _template_matches(spec: dict[str, Any]) -> list[Violation]:
    selector = spec.get("selector")
    if isinstance(selector, dict) and selectors.is_empty(selector):
        return []  # an empty selector selects everything
    labels = mapping(mapping(mapping(spec, "template"), "metadata"), "labels")
    if selectors.matches(selector, labels):
        return []
    path = ("spec", "template", "metadata", "labels")
    return [invalid(MISMATCH, path, labels, "`selector` does not match template `labels`")]


def validate_update(kind: str, old: dict[str, Any], new: dict[str, Any]) -> list[Violation]:
    """The update-only rules (the create rules run on ``new`` separately): immutable
    metadata, and in apps/v1 an immutable selector."""
    violations = metadata.validate_object_meta_update(old, new)
    before, after = _selector_of(old), _selector_of(new)
    if _normalized(before) != _normalized(after):
        violations.append(metadata.immutable(("spec", "selector"), before, after))
    return violations


def _selector_of(data: dict[str, Any]) -> Any:
    """The selector as defaulting leaves it (it fills in none), without defaulting the rest."""
    return mapping(data, "spec").get("selector")


def _normalized(selector: Any) -> Any:
    """The server compares semantically: empty and missing lists and maps are equal."""
    if not isinstance(selector, dict):
        return selector
    labels = {k: str(v) for k, v in mapping(selector, "matchLabels").items()}
    expressions = [
        {
            "key": e.get("key"),
            "operator": e.get("operator"),
            "values": [str(v) for v in e.get("values") or []],
        }
        for e in selector.get("matchExpressions") or []
        if isinstance(e, dict)
    ]
    return {"matchLabels": labels, "matchExpressions": expressions}
