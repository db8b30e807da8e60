"""YAML documents -> object documents: ``kind: List`` items split out, type meta checked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rolloutplan.model.finding import ObjectRef, Violation
from rolloutplan.model.source import Document, Location

if TYPE_CHECKING:
    from rolloutplan.load.yaml_docs import RawDocument


def expand_lists(path: str, text: str, raw: RawDocument) -> list[Document]:
    """One document per object: a ``kind: List`` (or ``FooList``) gives one per item."""
    start = Location(path, raw.line, raw.column)
    data = raw.data
    if _is_list(data):
        return [
            Document(path, raw.index, position, item, start, text, raw.positions)
            for position, item in enumerate(data["items"])
        ]
    return [Document(path, raw.index, None, data, start, text, raw.positions)]


def _is_list(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("kind"), str)
        and data["kind"].endswith("List")
        and isinstance(data.get("items"), list)
    )


def check_type_meta(document: Document) -> list[Violation]:
    """What the API machinery rejects before it even knows the kind."""
    data = document.data
    prefix = document.prefix
    if not isinstance(data, dict):
        what = "a list" if isinstance(data, list) else f"a {type(data).__name__} scalar"
        return [
            Violation(
                "RP004",
                f"a Kubernetes object must be a mapping, but this document is {what}",
                prefix,
            )
        ]
    violations = []
    for key, rule_id in (("apiVersion", "RP006"), ("kind", "RP005")):
        value = data.get(key)
        if value is None or value == "":
            violations.append(
                Violation(rule_id, f"object has no '{key}'; every manifest needs one", prefix)
            )
        elif not isinstance(value, str):
            violations.append(
                Violation(rule_id, f"'{key}' must be a string, not {value!r}", (*prefix, key))
            )
    return violations


def object_ref(data: dict[str, Any], default_namespace: str) -> ObjectRef:
    metadata = data.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    name = metadata.get("name") or (
        f"{metadata['generateName']}*" if metadata.get("generateName") else "<unnamed>"
    )
    namespace = metadata.get("namespace") or default_namespace
    return ObjectRef(str(data.get("kind", "")), str(namespace), str(name))
