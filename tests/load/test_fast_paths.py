"""The loader's fast paths give what the general routines they stand in for give."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from rolloutplan.load import parse, pods, yaml_docs
from rolloutplan.load.yaml_docs import YamlProblem, load_documents
from tests.load import test_positions

# Pieces of YAML that take every branch of the builders: resolved plain scalars, quoted
# ones, core and unknown tags, merge keys, keys that resolve to numbers, booleans or null,
# collections as keys, non-finite floats, flow collections with a duplicate key.
_KEYS = [
    "a", "b", "name", "yes", "1", "01", "0x1f", "1.5", "~", "null", '""', '"a"', "'b'",
    "<<", '"<<"', "!!merge <<", "!!str 1", "!!int 2", "[a]", "{a: 1}", ".inf",
    "9223372036854775808",
]  # fmt: skip
_SCALARS = [
    "x", "yes", "No", "~", "", "017", "0o17", "1_000", "-0", "1e3", ".5", "2001-12-14",
    ".nan", "-.inf", '"quoted: yes"', "'single'", "!!str 3", "!!int 0x10", "!!float 1",
    "!!bool yes", "!!null ~", "!!int x", "!!binary aGk=", "!!binary ???", "!foo x",
    "!!timestamp 2001-12-14", "[1, b, {c: d}]", "{a: 1, a: 2}", "{a: 1, b: [2]}", "[]", "{}",
    "!!map {a: 1}", "!!seq [a]", "!!str {a: 1}", "!foo [a]", "|\n    text",
]  # fmt: skip


# most keys and values are ordinary: many documents take the fast path all through
_KEY = st.sampled_from(["a", "b", "c", "name", "'q'"]) | st.sampled_from(_KEYS)
_SCALAR = st.sampled_from(["x", "1", "yes", "'s'", "2.5"]) | st.sampled_from(_SCALARS)


@st.composite
def documents(draw: st.DrawFn, depth: int = 0) -> str:
    """A block mapping at ``depth`` levels of indentation, its values drawn from the pieces
    above or nested mappings and lists."""
    indent = "  " * depth
    lines = []
    for key in draw(st.lists(_KEY, min_size=1, max_size=5)):
        kind = draw(
            st.sampled_from(["scalar", "scalar", "mapping", "list"] if depth < 3 else ["scalar"])
        )
        if kind == "scalar":
            lines.append(f"{indent}{key}: {draw(_SCALAR)}")
        elif kind == "mapping":
            lines.append(f"{indent}{key}:\n{draw(documents(depth + 1))}")
        else:
            items = draw(st.lists(_SCALAR, min_size=0, max_size=3))
            lines.append(f"{indent}{key}:" + "".join(f"\n{indent}- {item}" for item in items))
    return "\n".join(lines)


def _outcome(node: Any, *, fast: bool, non_finite: bool) -> Any:
    """What a build gives, types kept apart (1, 1.0 and True are not the same value)."""
    try:
        if fast:
            data = yaml_docs._build(node, has_aliases=False, non_finite=non_finite)
        else:
            data = yaml_docs._Builder(has_aliases=False, non_finite=non_finite).build(node)
    except YamlProblem as problem:
        return _problem(problem)
    return json.dumps(data, default=repr)


def _problem(problem: YamlProblem) -> tuple[str, str, int, int]:
    return (problem.rule_id, problem.message, problem.line, problem.column)


@given(documents())
def test_the_fast_builder_builds_what_the_general_builder_builds(text: str) -> None:
    non_finite = yaml_docs._NON_FINITE.search(text) is not None
    try:
        nodes = list(yaml_docs._compose_all(text))
    except YamlProblem:
        assume(False)  # not YAML: nothing to build
    for node in nodes:
        fast = _outcome(node, fast=True, non_finite=non_finite)
        assert fast == _outcome(node, fast=False, non_finite=non_finite), text


@pytest.mark.parametrize(
    "text",
    [
        "a: &x {b: [1, yes, '2']}\nc: *x\nd: *x\n",
        "base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n",
        "a: !!str 1\nb: !!binary aGk=\nc: [x, {d: e}]\n'q': \"r\"\n",
    ],
)
def test_nodes_of_ruamel_classes_are_read_as_our_own(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clib that does not look its node classes up where we swap ours in: its nodes are
    converted, and documents and positions come out the same."""
    paths = [(), ("a",), ("c",), ("c", 1), ("m", "y"), ("m", "x"), ("a", "b", 2)]
    own = load_documents(text, positions=True)
    monkeypatch.setattr(yaml_docs, "_CAN_SWAP", False)
    converted = load_documents(text, positions=True)
    assert [d.data for d in converted.documents] == [d.data for d in own.documents]
    for mine, theirs in zip(own.documents, converted.documents, strict=True):
        assert mine.positions is not None and theirs.positions is not None
        for path in paths:
            assert theirs.positions.locate(path) == mine.positions.locate(path)


def test_a_converted_cycle_is_still_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "a: &x [1, *x]\n"
    expected = load_documents(text).problems
    monkeypatch.setattr(yaml_docs, "_CAN_SWAP", False)
    assert [_problem(p) for p in load_documents(text).problems] == [_problem(p) for p in expected]
    assert expected and "cycle" in expected[0].message


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_JSON)
def test_canonical_json_is_what_json_dumps_writes(value: Any) -> None:
    expected = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    assert parse._canonical_json(value) == expected


# pods._command_ports as it was: one generator per token, the host pattern tried on each
_HOST_PORT = re.compile(r":([0-9]{1,5})(?![0-9.])")


def _reference_command_ports(words: list[str]) -> Iterator[int]:
    tokens = [token for word in words for token in word.split()]
    for before, token in zip(["", *tokens], tokens, strict=False):
        if before == "-p" or (before.startswith("-") and pods._names_port(before)):
            yield from pods._numbers([token])
        name, equals, value = token.partition("=")
        if equals and pods._names_port(name):
            yield from pods._numbers([value])
        yield from pods._numbers(_HOST_PORT.findall(token))


_WORDS = st.sampled_from([
    "-p", "8080", "--port", "--port=9090", "-Dserver.port=81", "--listen=0.0.0.0:8443",
    "http://web:80/", "--timeout=3000", "--workers", "80", "LISTEN_ADDR=:7000", "sh", "-c",
    "a b", "--metricsBindAddress", ":9100", "x:1.2", "--bind 127.0.0.1:53", "", " ", "=",
    "--PORT=70000", "-p=1",
])  # fmt: skip


@given(st.lists(_WORDS | st.text(max_size=12), max_size=8))
def test_command_ports_finds_what_it_found_token_by_token(words: list[str]) -> None:
    assert pods._command_ports(words) == list(_reference_command_ports(words))


# --- positions kept for later findings: a mapping's keys read as written, without an index ---


class _ByIndex(yaml_docs._Keeper):
    """The general path for every mapping: what ``_child`` finds through key indexes."""

    def _every(self, node: Any) -> Any:
        if type(node) is not yaml_docs._MappingNode:
            return super()._every(node)
        self.budget -= 1
        if self.budget < 0:
            raise yaml_docs._TooMany
        return self._every_found(node, yaml_docs._position(node.args[2]))


def _kept_whole(keeper: yaml_docs._Keeper, node: Any) -> Any:
    try:
        return keeper.node(node, None)
    except ValueError:  # a column beyond MAX_COLUMN
        return "too wide"


@given(test_positions.documents(), st.integers(1, 40))
def test_a_kept_field_holds_what_the_key_indexes_find(text: str, limit: int) -> None:
    """Merges, aliases, keys that resolve to numbers, and budgets that run out anywhere
    (a merge may replace a value written before it: the general path never counts that)."""
    try:
        nodes = list(yaml_docs._compose_all(text))
    except YamlProblem:
        assume(False)
    for budget in (limit, yaml_docs.MAX_KEPT_POSITIONS):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(yaml_docs, "MAX_KEPT_POSITIONS", budget)
            for node in nodes:
                fast = _kept_whole(yaml_docs._Keeper({}), node)
                assert fast == _kept_whole(_ByIndex({}), node), text


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\n!!str b: 2\n'<<': 3\n",  # a tagged key, a quoted <<: the general path
        "yes: 1\n1: 2\n0x1F: 3\n'q': 4\nq: 5\n",  # keys read as true, 1, 31; a repeated text
        "base: &b {x: 1}\nm: {<<: *b, y: 2}\n",
    ],
)
def test_a_kept_mapping_of_unusual_keys_holds_what_the_key_index_finds(text: str) -> None:
    (node,) = yaml_docs._compose_all(text)
    assert _kept_whole(yaml_docs._Keeper({}), node) == _kept_whole(_ByIndex({}), node)


# --- typed objects: digests and ports read with fewer steps ---


@given(st.text(), st.text(max_size=8))
def test_a_variable_set_to_a_text_has_the_digest_of_its_canonical_json(
    value: str, name: str
) -> None:
    general = parse._digest({"value": value, "valueFrom": None})[:16]
    for _ in range(2):  # computed, then remembered
        assert parse._env([{"name": name, "value": value}]) == ((name, general),)


def _reference_mentioned_ports(spec: dict[str, Any]) -> tuple[int, ...]:
    """pods._mentioned_ports as it was: every variable's words looked at."""

    def probe_ports(probe: dict[str, Any]) -> Iterator[int]:
        for handler in ("httpGet", "tcpSocket", "grpc"):
            port = pods._mapping(probe.get(handler)).get("port")
            if isinstance(port, int) and not isinstance(port, bool):
                yield from pods._numbers([str(port)])
        command = pods._list(pods._mapping(probe.get("exec")).get("command"))
        yield from pods._command_ports([str(w) for w in command])

    found: set[int] = set()
    for container in pods._containers(spec):
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            if isinstance(container.get(probe), dict):
                found.update(probe_ports(container[probe]))
        for variable in map(pods._mapping, pods._list(container.get("env"))):
            value = variable.get("value")
            if isinstance(value, str | int) and not isinstance(value, bool):
                text = str(value).strip()
                if pods._names_port(str(variable.get("name"))):
                    found.update(pods._numbers([text]))
                found.update(pods._command_ports(text.split()))
        words = [
            str(w) for w in pods._list(container.get("command")) + pods._list(container.get("args"))
        ]
        found.update(pods._command_ports(words))
    return tuple(sorted(found))


_WORD = _WORDS | st.text(max_size=10) | st.integers(-1, 70_000)
_ODD = st.none() | st.booleans() | st.integers(-1, 70_000) | st.text(max_size=6)
_ACTION = st.fixed_dictionaries(
    {}, optional={"port": _ODD | st.integers(1, 65535), "command": st.lists(_WORD, max_size=4)}
)
_PROBE = st.fixed_dictionaries(
    {},
    optional={
        "httpGet": _ACTION | _ODD, "tcpSocket": _ACTION, "grpc": _ACTION, "exec": _ACTION | _ODD,
    },
)  # fmt: skip
_VARIABLE = (
    st.fixed_dictionaries(
        {},
        optional={
            "name": st.sampled_from(["PORT", "LISTEN_ADDR", "LOG_LEVEL", "bind"]) | _ODD,
            "value": _WORD | _ODD,
            "valueFrom": st.just({"secretKeyRef": {"name": "s", "key": "k"}}),
        },
    )
    | _ODD
)
_CONTAINER = st.fixed_dictionaries(
    {},
    optional={
        "readinessProbe": _PROBE | _ODD, "livenessProbe": _PROBE, "startupProbe": _PROBE,
        "env": st.lists(_VARIABLE, max_size=4) | _ODD,
        "command": st.lists(_WORD, max_size=4) | _ODD, "args": st.lists(_WORD, max_size=4),
    },
)  # fmt: skip


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "containers": st.lists(_CONTAINER | _ODD, max_size=3) | _ODD,
            "initContainers": st.lists(_CONTAINER, max_size=2),
        },
    )
)
def test_mentioned_ports_are_what_every_word_showed(spec: dict[str, Any]) -> None:
    assert pods._mentioned_ports(spec) == _reference_mentioned_ports(spec)
