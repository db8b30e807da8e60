"""Node affinity and pod (anti-)affinity terms (validateAffinity and its helpers)."""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import FieldPath
from rolloutplan.validate.apiserver import primitives, selectors
from rolloutplan.validate.apiserver.access import dicts, integer, listing, mapping, text
from rolloutplan.validate.apiserver.fielderrors import (
    forbidden,
    invalid,
    invalid_each,
    required,
)

RULE = "RP234"
NODE_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
AFFINITY_KINDS = ("podAffinity", "podAntiAffinity")
REQUIRED_TERMS = "requiredDuringSchedulingIgnoredDuringExecution"
PREFERRED_TERMS = "preferredDuringSchedulingIgnoredDuringExecution"


def validate(affinity: dict[str, Any], path: FieldPath) -> list[Violation]:
    violations = []
    node = mapping(affinity, "nodeAffinity")
    if isinstance(node.get(REQUIRED_TERMS), dict):
        violations += _node_selector(node[REQUIRED_TERMS], (*path, "nodeAffinity", REQUIRED_TERMS))
    for i, term in dicts(node, PREFERRED_TERMS):
        where = (*path, "nodeAffinity", PREFERRED_TERMS, i)
        violations += _weight(term, where)
        # preferred terms tolerate invalid label values (a single-node cluster may match them)
        violations += _node_term(mapping(term, "preference"), (*where, "preference"), values=False)
    for kind in AFFINITY_KINDS:
        pod = mapping(affinity, kind)
        for i, term in dicts(pod, REQUIRED_TERMS):
            violations += _pod_term(term, (*path, kind, REQUIRED_TERMS, i))
        for i, weighted in dicts(pod, PREFERRED_TERMS):
            where = (*path, kind, PREFERRED_TERMS, i)
            violations += _weight(weighted, where)
            violations += _pod_term(
                mapping(weighted, "podAffinityTerm"), (*where, "podAffinityTerm")
            )
    return violations


def _weight(term: dict[str, Any], where: FieldPath) -> list[Violation]:
    weight = integer(term, "weight")
    if 1 <= weight <= 100:
        return []
    return [invalid(RULE, (*where, "weight"), weight, "must be in the range 1-100")]


def _node_selector(selector: dict[str, Any], path: FieldPath) -> list[Violation]:
    terms = dicts(selector, "nodeSelectorTerms")
    if not terms:
        detail = "must have at least one node selector term"
        return [required(RULE, (*path, "nodeSelectorTerms"), detail)]
    violations = []
    for i, term in terms:
        violations += _node_term(term, (*path, "nodeSelectorTerms", i), values=True)
    return violations


def _node_term(term: dict[str, Any], path: FieldPath, *, values: bool) -> list[Violation]:
    violations = []
    for j, requirement in dicts(term, "matchExpressions"):
        violations += _node_requirement(requirement, (*path, "matchExpressions", j), values=values)
    for j, requirement in dicts(term, "matchFields"):
        where = (*path, "matchFields", j)
        operator, items = text(requirement, "operator"), listing(requirement, "values")
        if operator not in ("In", "NotIn"):
            violations.append(
                invalid(RULE, (*where, "operator"), operator, "not a valid selector operator")
            )
        elif len(items) != 1:
            detail = (
                "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"
            )
            violations.append(required(RULE, (*where, "values"), detail))
        if text(requirement, "key") != "metadata.name":
            detail = "not a valid field selector key"
            violations.append(invalid(RULE, (*where, "key"), text(requirement, "key"), detail))
        else:
            for k, item in enumerate(items):
                item = str(item)
                violations += invalid_each(
                    RULE, (*where, "values", k), item, primitives.dns1123_subdomain(item)
                )
    return violations


def _node_requirement(
    requirement: dict[str, Any], path: FieldPath, *, values: bool
) -> list[Violation]:
    operator, items = text(requirement, "operator"), listing(requirement, "values")
    violations = []
    if operator in ("In", "NotIn") and not items:
        detail = "must be specified when `operator` is 'In' or 'NotIn'"
        violations.append(required(RULE, (*path, "values"), detail))
    elif operator in ("Exists", "DoesNotExist") and items:
        detail = "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
        violations.append(forbidden(RULE, (*path, "values"), detail))
    elif operator in ("Gt", "Lt") and len(items) != 1:
        detail = "must be specified single value when `operator` is 'Lt' or 'Gt'"
        violations.append(required(RULE, (*path, "values"), detail))
    elif operator not in NODE_OPERATORS:
        violations.append(
            invalid(RULE, (*path, "operator"), operator, "not a valid selector operator")
        )
    key = text(requirement, "key")
    violations += invalid_each(RULE, (*path, "key"), key, primitives.qualified_name(key))
    if values:
        for k, item in enumerate(items):
            item = str(item)
            violations += invalid_each(
                RULE, (*path, "values", k), item, primitives.label_value(item)
            )
    return violations


def _pod_term(term: dict[str, Any], path: FieldPath) -> list[Violation]:
    violations = selectors.validate(term.get("labelSelector"), (*path, "labelSelector"), RULE)
    violations += selectors.validate(
        term.get("namespaceSelector"), (*path, "namespaceSelector"), RULE
    )
    for namespace in listing(term, "namespaces"):
        namespace = str(namespace)
        violations += invalid_each(
            RULE, (*path, "namespace"), namespace, primitives.dns1123_label(namespace)
        )
    violations += _label_keys(term, path)
    topology = text(term, "topologyKey")
    if not topology:
        violations.append(required(RULE, (*path, "topologyKey"), "can not be empty"))
    return violations + invalid_each(
        RULE, (*path, "topologyKey"), topology, primitives.qualified_name(topology)
    )


def _label_keys(term: dict[str, Any], path: FieldPath) -> list[Violation]:
    """matchLabelKeys / mismatchLabelKeys of a pod affinity term."""
    selector = term.get("labelSelector")
    match_keys = [str(k) for k in listing(term, "matchLabelKeys")]
    mismatch_keys = [str(k) for k in listing(term, "mismatchLabelKeys")]
    violations = []
    for field, keys in (("matchLabelKeys", match_keys), ("mismatchLabelKeys", mismatch_keys)):
        if keys and not isinstance(selector, dict):
            detail = "must not be specified when labelSelector is not set"
            violations.append(forbidden(RULE, (*path, field), detail))
            continue
        for i, key in enumerate(keys):
            violations += invalid_each(RULE, (*path, field, i), key, primitives.qualified_name(key))
    for i, key in enumerate(match_keys):
        if key in mismatch_keys:
            detail = "exists in both matchLabelKeys and mismatchLabelKeys"
            violations.append(invalid(RULE, (*path, "matchLabelKeys", i), key, detail))
    return violations
