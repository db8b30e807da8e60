"""Schema validation of Deployment, ReplicaSet and Service against bundled Kubernetes schemas.

The only module that imports jsonschema (and jsonschema-rs, its fast pre-check).  One
validator per (version, kind) is built lazily and reused.  Each document is checked against
the strict schema, by jsonschema-rs first; only a document it rejects goes through
jsonschema, whose errors about ``additionalProperties`` become RP102 (unknown field) and all
others RP101.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import Document, FieldPath

SCHEMA_FILES = {
    ("apps/v1", "Deployment"): "deployment-apps-v1",
    ("apps/v1", "ReplicaSet"): "replicaset-apps-v1",
    ("v1", "Service"): "service-v1",
    ("autoscaling/v2", "HorizontalPodAutoscaler"): "horizontalpodautoscaler-autoscaling-v2",
    ("v1", "ResourceQuota"): "resourcequota-v1",
    ("v1", "LimitRange"): "limitrange-v1",
    ("policy/v1", "PodDisruptionBudget"): "poddisruptionbudget-policy-v1",
}


def schema_root() -> Path:
    """Schemas ship inside the wheel as rolloutplan/schemas; a source tree has ./schemas."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "schemas" / "k8s"
    return packaged if packaged.is_dir() else package.parent / "schemas" / "k8s"


@functools.cache
def supported_versions() -> tuple[str, ...]:
    """Kubernetes minor versions with bundled schemas, oldest first, e.g. ('1.30', ...)."""
    manifest = json.loads((schema_root() / "manifest.json").read_text(encoding="utf-8"))
    return tuple(sorted(manifest["versions"], key=lambda v: tuple(map(int, v.split(".")))))


def newest_version() -> str:
    return supported_versions()[-1]


@functools.cache
def _validator(version: str, stem: str) -> Any:
    """jsonschema's validator: the reference, and the source of every message."""
    from jsonschema.validators import validator_for

    schema = _schema(version, stem)
    return validator_for(schema)(schema)


@functools.cache
def _fast_validator(version: str, stem: str) -> Any:
    """jsonschema-rs, about 40 times faster: it only says whether a document is valid, so
    that valid documents (nearly all of them) skip the slow validator.  tests/validate checks
    that both agree on every fixture and corpus document."""
    import jsonschema_rs

    return jsonschema_rs.validator_for(_schema(version, stem))


@functools.cache
def _ranged_validator(version: str, stem: str) -> Any:
    """jsonschema-rs on the schema with each integer field's range added: a document it
    accepts is valid and holds no out-of-range integer, so neither walk is needed.  The
    ranges are added when the schemas are generated (``<stem>-ranged.json``, see
    ``add_ranges``): reading them costs less than adding them at every start."""
    import jsonschema_rs

    return jsonschema_rs.validator_for(_schema(version, stem, "ranged"))


def _schema(version: str, stem: str, variant: str = "strict") -> dict[str, Any]:
    path = schema_root() / f"v{version}" / f"{stem}-{variant}.json"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def validate(
    data: dict[str, Any], version: str, document: Document | None = None
) -> list[Violation]:
    """Schema violations of a Deployment/ReplicaSet/Service; [] for kinds without a schema.
    ``document`` is where ``data`` was read from: a number or boolean where a string is
    wanted is then reported as written (``1.10``, not ``1.1``)."""
    stem = SCHEMA_FILES.get((data.get("apiVersion"), data.get("kind")))  # type: ignore[arg-type]
    if stem is None:
        return []
    if _ranged_validator(version, stem).is_valid(data):
        return []
    out_of_range = list(_out_of_range(data, _integer_trie(version, stem), ()))
    # (without one, the slow validator's answer is the same whether the document is valid)
    if out_of_range and _fast_validator(version, stem).is_valid(data):
        return out_of_range
    errors = _validator(version, stem).iter_errors(data)
    violations = out_of_range + [v for error in errors for v in _violations(error, document)]
    violations = _date_unknown_fields(data, stem, version, violations)
    return sorted(violations, key=lambda v: (tuple(map(str, v.field)), v.message))


# Where the schema says "format": "int32" or "int64" (and int-or-string fields, whose integer
# is an int32), the Go field cannot hold a larger number: decoding the JSON fails.
_BITS = {"int32": 32, "int64": 64}
_INT_OR_STRING = {"integer", "string"}
ANY = object()  # a pattern step matching every list index or map key
IntegerField = tuple[tuple[object, ...], int]


_SIZE = object()  # in a trie node: the bits of the integer field the node itself is
Trie = dict[object, Any]


@functools.cache
def _integer_trie(version: str, stem: str) -> Trie:
    """The integer fields as a tree of field names (and ANY), so that a document is walked
    once, along the fields it has, rather than once per field the schema knows."""
    root: Trie = {}
    for path, bits in _walk(_schema(version, stem), ()):
        node = root
        for step in path:
            node = node.setdefault(step, {})
        node[_SIZE] = bits
    return root


def _walk(schema: dict[str, Any], path: tuple[object, ...]) -> Iterator[IntegerField]:
    bits = _bits(schema)
    if bits is not None:
        yield path, bits
    for name, child in schema.get("properties", {}).items():
        yield from _walk(child, (*path, name))
    for key in ("items", "additionalProperties"):
        child = schema.get(key)
        if isinstance(child, dict):
            yield from _walk(child, (*path, ANY))


def _bits(schema: dict[str, Any]) -> int | None:
    bits = _BITS.get(schema.get("format", ""))
    if bits is None and set(_branch_types(schema.get("anyOf", []))) - {"null"} == _INT_OR_STRING:
        bits = 32  # intstr.IntOrString holds an int32
    return bits


def add_ranges(schema: dict[str, Any]) -> None:
    """The range of each node ``_walk`` finds, as JSON Schema bounds on that very node
    (scripts/generate_schemas.py writes each strict schema so as ``<stem>-ranged.json``).

    The bundled schemas nest only through properties, items and additionalProperties, and
    type every node that does, so a document they accept is shaped as the walk expects: the
    bounds reject exactly the numbers ``_beyond`` finds (and non-integral ones, which the
    type check rejects anyway)."""
    bits = _bits(schema)
    if bits is not None:
        schema["minimum"] = -(2 ** (bits - 1))
        schema["exclusiveMaximum"] = 2 ** (bits - 1)
    for child in schema.get("properties", {}).values():
        add_ranges(child)
    for key in ("items", "additionalProperties"):
        child = schema.get(key)
        if isinstance(child, dict):
            add_ranges(child)


def _out_of_range(data: Any, trie: Trie, path: FieldPath) -> Iterator[Violation]:
    bits = trie.get(_SIZE)
    if bits is not None and _beyond(data, bits):
        yield Violation("RP101", _range_message(data, bits), path)
    every = trie.get(ANY)
    if isinstance(data, dict):
        for key, value in data.items():
            named = trie.get(key)
            if named is not None:
                yield from _out_of_range(value, named, (*path, key))
            if every is not None:
                yield from _out_of_range(value, every, (*path, key))
    elif isinstance(data, list) and every is not None:
        for index, item in enumerate(data):
            yield from _out_of_range(item, every, (*path, index))


def _beyond(value: Any, bits: int) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(value, float) and not value.is_integer():
        return False  # the schema's type check reports it
    return not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1)


def _range_message(value: int | float, bits: int) -> str:
    number = int(value)
    shown = str(number) if abs(number) < 10**40 else f"with {number.bit_length()} bits"
    return (
        f"json: cannot unmarshal number {shown} into a field of type int{bits}: the API "
        f"server rejects the object when decoding it (int{bits} holds -2^{bits - 1} to "
        f"2^{bits - 1}-1)"
    )


def _unknown_fields(data: dict[str, Any], stem: str, version: str) -> set[FieldPath]:
    """Paths only: no messages (and no "did you mean" search) for each version tried."""
    return {
        (*error.absolute_path, name)
        for error in _validator(version, stem).iter_errors(data)
        if error.validator == "additionalProperties"
        for name in _unknown_names(error)
    }


def _unknown_names(error: Any) -> list[str]:
    return sorted(set(error.instance) - set(error.schema.get("properties", {})))


def _date_unknown_fields(
    data: dict[str, Any], stem: str, version: str, violations: list[Violation]
) -> list[Violation]:
    """Say so when an unknown field is known to a newer bundled Kubernetes version."""
    unknown = {v.field for v in violations if v.rule_id == "RP102"}
    if not unknown:
        return violations
    known_from: dict[FieldPath, str] = {}
    newer = supported_versions()[supported_versions().index(version) + 1 :]
    for candidate in newer:
        for path in unknown - _unknown_fields(data, stem, candidate) - set(known_from):
            known_from[path] = candidate
    return [
        Violation(
            v.rule_id,
            f'unknown field "{v.field[-1]}" in Kubernetes {version} '
            f"(known from {known_from[v.field]}; see --kubernetes-version)",
            v.field,
            v.at_key,
        )
        if v.field in known_from
        else v
        for v in violations
    ]


def _violations(error: Any, document: Document | None) -> Iterator[Violation]:
    path: FieldPath = tuple(error.absolute_path)
    keyword = error.validator
    if keyword == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        for position, name in enumerate(_unknown_names(error)):
            # "did you mean" costs a search of the known names: a mapping of 100,000
            # unknown fields (a generated or hostile file) gets it for the first ones only
            hints = known if position < SUGGESTED_PER_MAPPING else []
            yield Violation(
                "RP102", _unknown_field_message(name, hints), (*path, name), at_key=True
            )
    elif keyword == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        yield Violation("RP101", f'required field "{missing}" is missing', (*path, missing))
    elif keyword == "type" and _scalar_for_string(error.instance, error.validator_value):
        yield Violation(
            "RP101", _quote_hint(error.instance, _written(document, path, error.instance)), path
        )
    elif keyword == "type":
        yield Violation("RP101", _type_message(error.instance, error.validator_value), path)
    elif keyword in ("anyOf", "oneOf") and _branch_types(error.validator_value):
        expected = _branch_types(error.validator_value)
        yield Violation("RP101", _type_message(error.instance, expected), path)
    else:
        yield Violation("RP101", error.message, path)


SUGGESTED_PER_MAPPING = 100


def _unknown_field_message(name: str, known: list[str]) -> str:
    message = f'unknown field "{name}"'
    if not known:
        return message
    import difflib  # only for documents with unknown fields

    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f'{message} (did you mean "{close[0]}"?)' if close else message


def _branch_types(branches: list[dict[str, Any]]) -> list[str]:
    types: list[str] = []
    for branch in branches:
        branch_type = branch.get("type")
        if branch_type is None:
            return []
        types.extend([branch_type] if isinstance(branch_type, str) else branch_type)
    return types


def _type_message(instance: Any, expected: str | list[str]) -> str:
    names = [expected] if isinstance(expected, str) else expected
    wanted = [f"'{name}'" for name in dict.fromkeys(names) if name != "null"]
    return f"{_describe(instance)} is not of type {' or '.join(wanted)}"


def _describe(instance: Any) -> str:
    if isinstance(instance, dict):
        return "a mapping"
    if isinstance(instance, list):
        return "a list"
    if instance is None or isinstance(instance, bool):
        return json.dumps(instance)  # YAML spells them true, false, null
    text = repr(instance)
    return text if len(text) <= 60 else text[:57] + "..."


# A plain scalar as YAML 1.1 (go-yaml v2) reads it: the token at a value's position.
_PLAIN_TOKEN = re.compile(r"[^\s,\[\]{}#]+")
_LONGEST_SHOWN = 40  # characters of a token quoted in the message; longer ones are not shown
_BASES = (("0x", "hexadecimal"), ("0o", "octal"), ("0b", "binary"))


def _scalar_for_string(instance: Any, expected: Any) -> bool:
    """A number or boolean where only a string is wanted: YAML typed what was meant as text."""
    names = [expected] if isinstance(expected, str) else list(expected)
    return [n for n in names if n != "null"] == ["string"] and isinstance(instance, int | float)


def _written(document: Document | None, path: FieldPath, instance: object) -> str | None:
    """The value as written in the source, if it is a plain scalar there."""
    if document is None:
        return None
    from rolloutplan.load.positions import locate_in
    from rolloutplan.load.yaml_docs import resolve_plain  # only for such errors

    full = (*document.prefix, *path)
    line, column, found = locate_in(document, full)
    if found != full:
        return None
    lines = _lines(document.text)
    if line > len(lines):
        return None
    start = column - 1
    token = _PLAIN_TOKEN.match(lines[line - 1], start, start + _LONGEST_SHOWN + 1)
    # an anchor, tag or quoted text there is not the scalar's own spelling: say nothing
    # rather than show a token that does not read as the value; nor one too long to show
    if token is None or len(token.group()) > _LONGEST_SHOWN:
        return None
    read = resolve_plain(token.group())
    if type(read) is not type(instance) or read != instance:
        return None
    return token.group()


@functools.lru_cache(maxsize=4)
def _lines(text: str) -> tuple[str, ...]:
    """Split once per file, however many of its values need a hint."""
    return tuple(text.split("\n"))


def _quote_hint(instance: int | float, written: str | None) -> str:
    """``a string is wanted, but YAML reads 1.10 as the number 1.1: quote it ("1.10")``."""
    kind = "boolean" if isinstance(instance, bool) else "number"
    shown = json.dumps(instance) if isinstance(instance, bool) else str(instance)
    if written == shown:
        read = f"a {kind}"
    elif isinstance(instance, int) and not isinstance(instance, bool) and written is not None:
        read = f"the {_base(written)}number {shown}"
    else:
        read = f"the {kind} {shown}"
    if written is None:
        return f"a string is wanted, but YAML reads this value as {read}: quote it"
    return (
        f"a string is wanted, but YAML reads {written} as {read}: quote it ({json.dumps(written)})"
    )


def _base(written: str) -> str:
    digits = written.lstrip("+-").lower()
    for prefix, name in _BASES:
        if digits.startswith(prefix):
            return f"{name} "
    return "octal " if len(digits) > 1 and digits.startswith("0") else ""
