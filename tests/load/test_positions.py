"""Positions kept from the first parse locate every finding exactly where composing the
text again (``yaml_docs.locate``) does, and no finding composes a file again."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rolloutplan import collect
from rolloutplan.collect import LATER_FIELDS
from rolloutplan.load import positions
from rolloutplan.load.positions import PositionIndex
from rolloutplan.load.yaml_docs import NodePositions, load_documents, locate
from rolloutplan.model.source import Document, FieldPath, Location

ROOT = Path(__file__).resolve().parents[2]
REALWORLD = ROOT / "fixtures" / "realworld"


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[FieldPath]]:
    """Every finding located in a run, checked against composing the text again; the paths
    located.  The run must compose no file again."""
    located: list[FieldPath] = []
    kept = positions.locate_in

    def checked(document: Document, path: FieldPath, *, at_key: bool = False) -> Any:
        found = kept(document, path, at_key=at_key)
        assert found == locate(document.text, document.index, path, at_key=at_key), path
        located.append(path)
        return found

    monkeypatch.setattr(collect, "locate_in", checked)
    monkeypatch.setattr(positions, "locate_in", checked)
    monkeypatch.setitem(positions.STATS, "fallbacks", 0)
    yield located
    assert positions.STATS["fallbacks"] == 0


def _lint_cold_and_warm(run_cli: Callable[..., Any], target: Path, cache: Path) -> None:
    cold = run_cli("lint", "--jobs", "1", "--cache-dir", cache, "--color", "never", target)
    warm = run_cli("lint", "--jobs", "1", "--cache-dir", cache, "--color", "never", target)
    assert warm.stdout == cold.stdout


def test_realworld_findings_are_located_from_the_first_parse(
    run_cli: Callable[..., Any], compared: list[FieldPath], tmp_path: Path
) -> None:
    _lint_cold_and_warm(run_cli, REALWORLD, tmp_path / "cache")
    assert len(compared) > 50


def test_realistic_corpus_cross_file_findings_compose_nothing_cold_or_warm(
    run_cli: Callable[..., Any], compared: list[FieldPath], tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    subprocess.run(
        [sys.executable, ROOT / "benchmarks" / "realistic_corpus.py", corpus, "--documents", "300"],
        check=True,
        capture_output=True,
    )
    _lint_cold_and_warm(run_cli, corpus, tmp_path / "cache")
    later = {p[:2] for p in compared}
    assert ("spec", "selector") in later  # cross-file findings were there


def test_a_list_item_keeps_the_positions_of_its_own_fields() -> None:
    text = (
        "kind: List\napiVersion: v1\nitems:\n- kind: Service\n  spec:\n    selector: {a: b}\n"
        "- kind: Service\n  spec:\n    ports:\n    - port: 80\n"
    )
    raw = load_documents(text, positions=True).documents[0]
    assert isinstance(raw.positions, NodePositions)
    index = raw.positions.kept([("items", 1, *field) for field in LATER_FIELDS])
    path = ("items", 1, "spec", "ports", 0, "targetPort")
    assert index.locate(path) == locate(text, 0, path) == (10, 7, path[:5])
    assert index.locate(("items", 0, "spec", "selector")) is None  # not kept: unknown
    missing = ("items", 1, "spec", "ports", 3, "port")
    assert (
        PositionIndex(index.root).locate(missing) == locate(text, 0, missing) == (9, 5, missing[:4])
    )


def test_a_huge_kept_field_is_left_out_not_kept_whole() -> None:
    items = "".join(f"  - {n}\n" for n in range(positions_limit() + 1))
    text = f"spec:\n  ports:\n{items}"
    raw = load_documents(text, positions=True).documents[0]
    assert raw.positions is not None
    index = raw.positions.kept([("spec", "ports")])
    assert index.locate(("spec", "ports")) == locate(text, 0, ("spec", "ports"))
    assert index.locate(("spec", "ports", 3)) is None


def test_a_document_with_a_line_too_long_to_pack_is_located_by_composing_it_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = '{"metadata": {"name": "%s"}, "spec": {"selector": {"a": "b"}}}' % ("x" * 70_000)
    raw = load_documents(text, positions=True).documents[0]
    assert raw.positions is not None
    document = Document(
        "f", 0, None, {}, Location("f", 1, 1), text, raw.positions.kept(LATER_FIELDS)
    )
    monkeypatch.setitem(positions.STATS, "fallbacks", 0)
    path = ("spec", "selector", "a")
    assert positions.locate_in(document, path) == locate(text, 0, path) == (1, 70_055, path)
    assert positions.STATS["fallbacks"] == 1


def positions_limit() -> int:
    from rolloutplan.load.yaml_docs import MAX_KEPT_POSITIONS

    return MAX_KEPT_POSITIONS


# --- random documents: merges, aliases, flow and block, paths that exist and that do not ---

_KEYS = ("a", "b", "c", "0", "1")
_SCALARS = ("x", "1", "yes", "'q'", '"d d"', "~", "1.5", "0x1F", "[]", "{}")
Value = tuple[str, Any]


def _values(anchors: int) -> st.SearchStrategy[Value]:
    scalar = st.sampled_from(_SCALARS).map(lambda token: ("s", token))
    alias = st.integers(0, max(anchors - 1, 0)).map(lambda i: ("*", i))
    leaf = st.one_of(scalar, alias) if anchors else scalar

    def extend(inner: st.SearchStrategy[Value]) -> st.SearchStrategy[Value]:
        entries = st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4)
        merge = st.none() | st.lists(st.integers(0, max(anchors - 1, 0)), min_size=1, max_size=2)
        mapping = st.tuples(
            entries, merge if anchors else st.none(), st.integers(0, 4), st.booleans()
        )
        sequence = st.tuples(st.lists(inner, max_size=3), st.booleans())
        return st.one_of(mapping.map(lambda m: ("m", m)), sequence.map(lambda s: ("l", s)))

    return st.recursive(leaf, extend, max_leaves=12)


def _render(value: Value, indent: int, flow: bool) -> str:
    """The value as YAML: inline (flow, or a scalar) or block lines after a newline."""
    kind, content = value
    if kind == "s":
        return content  # type: ignore[no-any-return]
    if kind == "*":
        return f"*m{content}"
    if kind == "m":
        entries, merge, place, as_flow = content
        items = [(k, _render(v, indent + 2, flow or as_flow)) for k, v in entries.items()]
        if merge is not None:
            sources = ", ".join(f"*m{i}" for i in merge)
            items.insert(
                min(place, len(items)), ("<<", f"[{sources}]" if len(merge) > 1 else sources)
            )
        if not items:
            return "{}"
        if flow or as_flow:
            return "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"
        pad = " " * indent
        return "".join(f"\n{pad}{k}: {v}" for k, v in items)
    values, as_flow = content
    rendered = [_render(v, indent + 2, flow or as_flow) for v in values]
    if not rendered:
        return "[]"
    if flow or as_flow:
        return "[" + ", ".join(rendered) + "]"
    pad = " " * indent
    return "".join(f"\n{pad}- {r.lstrip(chr(10)).lstrip()}" if not r.startswith("\n")
                   else f"\n{pad}-{r}" for r in rendered)  # fmt: skip


@st.composite
def documents(draw: st.DrawFn) -> str:
    anchors = draw(st.integers(0, 2))
    defs = [
        draw(st.dictionaries(st.sampled_from(_KEYS), st.sampled_from(_SCALARS), max_size=3))
        for _ in range(anchors)
    ]
    body = draw(st.dictionaries(st.sampled_from(("spec", "metadata", "x")), _values(anchors),
                                min_size=1, max_size=3))  # fmt: skip
    lines = ["---"] * draw(st.integers(0, 1))
    if defs:
        lines.append("defs:")
        for number, entries in enumerate(defs):
            inner = ", ".join(f"{k}: {v}" for k, v in entries.items())
            lines.append(f"- &m{number} {{{inner}}}")
    text = "\n".join(lines) + "\n" if lines else ""
    for key, value in body.items():
        text += f"{key}: {_render(value, 2, False)}\n"
    return text


def _paths(data: Any, prefix: FieldPath = ()) -> Iterator[FieldPath]:
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for number, value in enumerate(data):
            yield from _paths(value, (*prefix, number))


@given(documents(), st.data())
def test_kept_positions_locate_as_composing_the_text_again(text: str, data: st.DataObject) -> None:
    loaded = load_documents(text, positions=True)
    if loaded.problems or not loaded.documents:
        return  # not a document to check (a duplicate key after a merge, say)
    raw = loaded.documents[0]
    assert raw.positions is not None
    existing = list(_paths(raw.data))
    paths = [
        (*draw_path, *extra)
        for draw_path in data.draw(st.lists(st.sampled_from(existing), min_size=1, max_size=8))
        for extra in ((), ("zz",), (0,), ("0",), (5, "a"))
    ]
    prefix = data.draw(st.sampled_from([*existing, ("spec", "nothing")]))
    index = raw.positions.kept([prefix])
    stored = PositionIndex(index.root)
    for path in paths:
        for at_key in (False, True):
            expected = locate(text, raw.index, path, at_key=at_key)
            assert raw.positions.locate(path, at_key) == expected
            found = stored.locate(path, at_key)
            if found is not None:
                assert found == expected, (path, prefix)
            if path[: len(prefix)] == prefix or prefix[: len(path)] == path:
                assert found is not None, (path, prefix)  # a kept path, or an ancestor


def test_the_composer_node_classes_are_swapped_only_during_our_compositions() -> None:
    """The fast node classes serve our compositions, also one that fails; every other ruamel
    user in the process keeps ruamel's own classes."""
    import _ruamel_yaml
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    from rolloutplan.load import yaml_docs

    assert yaml_docs._CAN_SWAP  # the installed clib reads its node classes as we expect
    result = yaml_docs.load_documents("a: [1, {b: c}]\n", positions=True)
    assert result.documents[0].data == {"a": [1, {"b": "c"}]}
    broken = yaml_docs.load_documents("a: [1\nb: {\n")
    assert broken.problems and broken.problems[0].rule_id == "RP001"
    originals = (ScalarNode, SequenceNode, MappingNode)
    assert (_ruamel_yaml.ScalarNode, _ruamel_yaml.SequenceNode, _ruamel_yaml.MappingNode) == (
        originals
    )
