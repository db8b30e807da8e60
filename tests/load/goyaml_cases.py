"""Where libyaml (and so ruamel.yaml) and go-yaml v2 read YAML differently, row by row.

Each row is a YAML text and what rolloutplan's loader gives: the documents' values, or a
rejection with its rule, line and column.  ``go`` is what go-yaml v2 (with sigs.k8s.io/yaml's
conversion to JSON) gives when that differs, on purpose or as a known gap, with the reason.
test_goyaml_compat.py checks the loader against the rows; test_goyaml_differential.py checks
the rows against the real go-yaml v2 when Go is installed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rejected:
    rule: str
    line: int
    column: int


@dataclass(frozen=True)
class GoRejects:
    """go-yaml v2 (or sigs.k8s.io/yaml's conversion) rejects the text."""

    strict_only: bool = False  # only yaml.UnmarshalStrict does (duplicate keys)


@dataclass(frozen=True)
class Row:
    name: str
    text: str
    ours: list[Any] | Rejected
    go: list[Any] | GoRejects | None = None  # None: go-yaml gives exactly ``ours``
    why: str = ""


def rows() -> list[Row]:
    return FLOW + TABS_AND_LAYOUT + KEYS + MERGES + SCALARS + TAGS + STREAM


def doc(**fields: Any) -> list[Any]:
    return [fields]


FLOW = [
    Row("flow-colon-arg", "args: [--listen=0.0.0.0:8080]\n", doc(args=["--listen=0.0.0.0:8080"])),
    Row("flow-colon-target", "target: [frontend:80]\n", doc(target=["frontend:80"])),
    Row("flow-colon-url", "u: [http://api:9090/v1, b]\n", doc(u=["http://api:9090/v1", "b"])),
    Row("flow-colon-base60-text", "x: [1:20]\n", doc(x=["1:20"])),
    Row("flow-colon-map-key", "x: {a:b}\n", doc(x={"a:b": None})),
    Row("flow-colon-key-and-value", "x: {a:b: c:d}\n", doc(x={"a:b": "c:d"})),
    Row("flow-colon-trailing", "x: [a:]\n", doc(x=["a:"])),
    Row("flow-colon-before-comma", "x: [a:, b]\n", doc(x=["a:", "b"])),
    Row("flow-colon-double", "x: [a::b]\n", doc(x=["a::b"])),
    Row("flow-colon-multiline", "x: [a:b,\n  c:d]\nz: 1:2\n", doc(x=["a:b", "c:d"], z="1:2")),
    Row("flow-json-style", 'x: {"a":1, "b":[2]}\n', doc(x={"a": 1, "b": [2]})),
    Row("flow-quoted-then-colon", "x: ['a':b]\n", doc(x=[{"a": "b"}])),
    Row("flow-pair", "x: [a: b]\n", doc(x=[{"a": "b"}])),
    Row("flow-colon-anchor", "x: [&a :b]\n", Rejected("RP001", 1, 5), GoRejects(), "null key"),
    Row("flow-question-mark", "x: [a?b]\n", Rejected("RP001", 1, 6)),
    Row("flow-url-query", "x: [http://h/?q=1]\n", Rejected("RP001", 1, 14)),
    Row("flow-extra-bracket", "x: [1, 2]]\n", Rejected("RP001", 1, 10)),
    Row("flow-empty-entry", "x: [a, , b]\n", Rejected("RP001", 1, 8)),
    Row("flow-trailing-comma", "x: [a, b,]\n", doc(x=["a", "b"])),
    Row("flow-comment-hash", "x: [a#b, c #d\n  ]\n", doc(x=["a#b", "c"])),
    Row("flow-set-like", "x: {a, b}\n", doc(x={"a": None, "b": None})),
    Row("block-colon", "image: nginx:1.25\nk:v: 1\n", doc(image="nginx:1.25", **{"k:v": 1})),
    Row("colon-in-quoted", "x: ['a:b', \"c:d\"]\n", doc(x=["a:b", "c:d"])),
    Row(
        "colon-in-block-scalar",
        "x: |\n  [a:b]\nz: [c:d]\n",
        doc(x="[a:b]\n", z=["c:d"]),
    ),
    Row("colon-in-comment", "x: [a:b] # see http://x\n", doc(x=["a:b"])),
    Row("flow-colon-after-blank", "x: [a :b, c]\n", doc(x=["a :b", "c"])),
    Row("flow-colon-after-blank-key", "x: {a :b: c}\n", doc(x={"a :b": "c"})),
    Row("flow-colon-after-line-break", "x: [a\n  :b]\n", doc(x=["a :b"])),
    Row("flow-colon-after-blank-end", "x: [a :]\n", doc(x=["a :"])),
    Row("flow-colon-after-blank-twice", "x: [a:b :c :d]\n", doc(x=["a:b :c :d"])),
    Row("flow-colon-after-comma", "x: [a, :b]\n", Rejected("RP001", 1, 8), GoRejects()),
    Row("flow-colon-after-quoted-blank", "x: ['a' :b]\n", doc(x=[{"a": "b"}])),
    Row("flow-colon-after-indicator", "x: [a: :b]\n", Rejected("RP001", 1, 8), GoRejects()),
    Row("flow-colon-after-comment", "x: [a #c d\n  :b]\n", Rejected("RP001", 2, 3), GoRejects()),
    Row(
        "flow-colon-verbatim-tag", "x: [a:b, !<tag:yaml.org,2002:str> c:d]\n", doc(x=["a:b", "c:d"])
    ),
    Row("flow-colon-private-use", "a: \ue000\ue001\nx: [a:b]\n", doc(a="\ue000\ue001", x=["a:b"])),
    Row(
        "flow-colon-escaped-private-use",
        'a: ["\\ue000", "\\U0000e001"]\nx: [a:b]\n',
        doc(a=["\ue000", "\ue001"], x=["a:b"]),
    ),
    Row("flow-colon-in-quoted-key", 'x: {"a:b": c:d}\n', doc(x={"a:b": "c:d"})),
    Row("flow-colon-second-document", "a: 1\n---\nx: [a:b]\n", [{"a": 1}, {"x": ["a:b"]}]),
    Row("flow-colon-anchored", "x: &n [a:b]\nz: *n\n", doc(x=["a:b"], z=["a:b"])),
    Row("flow-colon-complex-key", "? [a:b]\n: 1\n", Rejected("RP001", 1, 3), GoRejects()),
]

TABS_AND_LAYOUT = [
    Row("tab-after-colon", "x:\ta\n", doc(x="a")),
    Row("tab-in-value", "x: a\tb\n", doc(x="a\tb")),
    Row("tab-indent", "\tx: 1\n", Rejected("RP001", 1, 1)),
    Row("tab-indent-list", "x:\n\t- a\n", Rejected("RP001", 2, 1)),
    Row("tab-in-flow", "x: [a,\tb]\n", doc(x=["a", "b"])),
    Row("crlf", "x: 1\r\nz: [a:b]\r\n", doc(x=1, z=["a:b"])),
    Row("bom-at-start", "\ufeffx: 1\n", doc(x=1)),
    Row("bom-mid-stream", "a: 1\n\ufeffb: 2\n", doc(a=1, **{"\ufeffb": 2})),
    Row("bom-in-value", "a: [x\ufeffy:1]\n", doc(a=["x\ufeffy:1"])),
    Row("block-seq-under-key", "a:\n- b\n- c\n", doc(a=["b", "c"])),
    Row("seq-after-value", "a: - b\n", Rejected("RP001", 1, 4)),
    Row("folded-plain", "a: x\n  y\n", doc(a="x y")),
    Row("comment-in-plain", "a: x\n# c\n  y\n", Rejected("RP001", 3, 3)),
    Row("literal-keep-indent", "a: |2\n   x\n", doc(a=" x\n")),
    Row("folded-strip", "a: >-\n  x\n\n  y\n", doc(a="x\ny")),
    Row("reserved-at", "a: @x\n", Rejected("RP001", 1, 4)),
    Row("reserved-backtick", "a: `x\n", Rejected("RP001", 1, 4)),
    Row("percent-plain", "a: %x\n", Rejected("RP001", 1, 4)),
]

KEYS = [
    Row("complex-key-flow-seq", "[a, b]: c\n", Rejected("RP001", 1, 1), GoRejects()),
    Row("complex-key-explicit", "? a\n: b\n", doc(a="b")),
    Row("complex-key-mapping", "? {a: 1}\n: b\n", Rejected("RP001", 1, 3), GoRejects()),
    Row("key-bool", "y: 1\nn: 2\n", doc(true=1, false=2)),
    Row("key-bool-same", "y: 1\non: 2\n", Rejected("RP002", 2, 1), GoRejects(strict_only=True)),
    Row("key-int", "1: a\n0x10: b\n", doc(**{"1": "a", "16": "b"})),
    Row("key-float", "1.5: a\n1e20: b\n", doc(**{"1.5": "a", "1e+20": "b"})),
    Row("key-float-big", "1234567.0: a\n0.1: b\n", doc(**{"1.234567e+06": "a", "0.1": "b"})),
    Row("key-float-inf", ".inf: a\n", doc(**{".inf": "a"})),
    Row("key-null", "~: a\n", Rejected("RP001", 1, 1), GoRejects(), "unsupported map key"),
    Row("key-null-word", "null: a\n", Rejected("RP001", 1, 1), GoRejects()),
    Row("key-uint64", "18446744073709551615: a\n", Rejected("RP001", 1, 1), GoRejects()),
    Row("key-int64-max", "9223372036854775807: a\n", doc(**{"9223372036854775807": "a"})),
    Row(
        "duplicate-key",
        "a: 1\na: 2\n",
        Rejected("RP002", 2, 1),
        GoRejects(strict_only=True),
        "Kubernetes decodes strictly (yaml.UnmarshalStrict); plain Unmarshal keeps the last",
    ),
    Row("duplicate-key-flow", "a: {b: 1, b: 2}\n", Rejected("RP002", 1, 11), GoRejects(True)),
    Row("duplicate-after-resolve", "1: a\n0x1: b\n", Rejected("RP002", 2, 1), GoRejects(True)),
]

MERGES = [
    Row(
        "merge-first",
        "b: &b {a: 1, c: 1}\nx: {<<: *b, a: 2}\n",
        doc(b={"a": 1, "c": 1}, x={"a": 2, "c": 1}),
    ),
    Row(
        "merge-last-overrides",
        "x:\n  a: 1\n  <<: {a: 2, c: 3}\n",
        doc(x={"a": 2, "c": 3}),
        why="go-yaml v2 merges in place: a later << replaces keys written before it "
        "(strict mode rejects it as a duplicate)",
    ),
    Row("merge-list-first-wins", "x:\n  <<: [{a: 1}, {a: 2, b: 2}]\n", doc(x={"a": 1, "b": 2})),
    Row("merge-scalar", "x:\n  <<: 1\n", Rejected("RP001", 2, 7), GoRejects()),
    Row("merge-quoted-key", "x:\n  '<<': {a: 1}\n", doc(x={"<<": {"a": 1}})),
    Row("merge-tagged", "x:\n  !!merge <<: {a: 1}\n", doc(x={"a": 1})),
    Row("merge-empty-list", "x:\n  <<: []\n  a: 1\n", doc(x={"a": 1})),
    Row("anchor-alias", "a: &x 1\nb: *x\n", doc(a=1, b=1)),
    Row(
        "anchor-redefined",
        "a: &x 1\nb: &x 2\nc: *x\n",
        Rejected("RP001", 2, 4),
        doc(a=1, b=2, c=2),
        "known gap: libyaml refuses a second anchor of the same name; go-yaml uses the last",
    ),
    Row("alias-undefined", "a: *x\n", Rejected("RP001", 1, 4), GoRejects()),
    Row("alias-cycle", "a: &x [*x]\n", Rejected("RP001", 1, 4), GoRejects()),
]

SCALARS = [
    Row(
        "bool-yes",
        "a: [yes, Yes, YES, on, y, Y, n, off, True]\n",
        doc(a=[True, True, True, True, True, True, False, False, True]),
    ),
    Row("bool-near", "a: [yess, tRue, oN]\n", doc(a=["yess", "tRue", "oN"])),
    Row("null-forms", "a: [~, null, Null, NULL, nULL]\n", doc(a=[None, None, None, None, "nULL"])),
    Row("int-octal", "a: [017, 0o17, 0O17, 08]\n", doc(a=[15, 15, 15, 8.0])),
    Row("int-hex-bin", "a: [0x1F, 0X1f, 0b101, -0b101, 0B101]\n", doc(a=[31, 31, 5, -5, 5])),
    Row("int-underscore", "a: [1_000, 1_0.5]\n", doc(a=[1000, 10.5])),
    Row("int-sexagesimal", "a: 1:20\n", doc(a="1:20")),
    Row(
        "int-limits",
        "a: [9223372036854775807, -9223372036854775808, 18446744073709551615]\n",
        doc(a=[2**63 - 1, -(2**63), 2**64 - 1]),
    ),
    Row(
        "int-too-big",
        "a: [18446744073709551616, -9223372036854775809]\n",
        doc(a=[1.8446744073709552e19, -9.223372036854776e18]),
    ),
    Row("float-forms", "a: [1e3, 1E3, +.5, -.5, 1.5]\n", doc(a=[1000.0, 1000.0, 0.5, -0.5, 1.5])),
    Row("float-not", "a: [._5, 0.1_5, 1e400, .5e400]\n", doc(a=["._5", 0.15, "1e400", ".5e400"])),
    Row("float-inf", "a: .inf\n", Rejected("RP001", 1, 4), GoRejects(), "JSON has no infinity"),
    Row("float-minus-inf", "a: -.Inf\n", Rejected("RP001", 1, 4), GoRejects()),
    Row("float-nan", "a: [1, .nan]\n", Rejected("RP001", 1, 8), GoRejects()),
    Row("float-inf-quoted", "a: '.inf'\n", doc(a=".inf")),
    Row(
        "timestamp",
        "a: [2001-12-14, 2001-12-14t21:59:43.10-05:00]\n",
        doc(a=["2001-12-14", "2001-12-14t21:59:43.10-05:00"]),
    ),
    Row("version-number", "a: 1.10\n", doc(a=1.1)),
    Row(
        "escapes", "a: [\"\\x41\", \"\\U0001F600\", 'it''s']\n", doc(a=["A", "\U0001f600", "it's"])
    ),
    Row("quoted-fold", 'a: "x\n  y"\n', doc(a="x y")),
]

TAGS = [
    Row(
        "tag-str",
        "a: [!!str 1, !!int '12', !!float 1, !!bool yes, !!null '']\n",
        doc(a=["1", 12, 1.0, True, None]),
    ),
    Row("tag-int-bad", "a: !!int 1.5\n", Rejected("RP001", 1, 4), GoRejects()),
    Row("tag-binary", "a: !!binary aGk=\n", doc(a="hi")),
    Row("tag-binary-bad", "a: !!binary '%%'\n", Rejected("RP001", 1, 4), GoRejects()),
    Row("tag-core-on-collection", "a: !!str {b: 1}\nc: !!binary [1]\n", doc(a={"b": 1}, c=[1])),
    Row(
        "flow-colon-after-quote-in-plain",
        'x: [a"k":b]\n',
        Rejected("RP001", 1, 9),
        doc(x=['a"k":b']),
        "known gap: a colon right after a quote inside a plain scalar is not retried",
    ),
    Row("tag-timestamp", "a: !!timestamp 2001-01-01\n", doc(a="2001-01-01")),
    Row("tag-verbatim", "a: !<tag:yaml.org,2002:str> 1\n", doc(a="1")),
    Row(
        "tag-custom",
        "a: !x y\n",
        Rejected("RP007", 1, 4),
        doc(a="y"),
        "deliberate: go-yaml ignores unknown tags; rolloutplan refuses them (RP007)",
    ),
    Row(
        "tag-directive",
        "%TAG !e! tag:e.com,2000:\n---\na: !e!x 1\n",
        Rejected("RP007", 3, 4),
        doc(a="1"),
        "deliberate, as tag-custom",
    ),
    Row(
        "tag-non-specific",
        "a: ! y\n",
        doc(a=True),
        doc(a="y"),
        "known gap: libyaml hands '! y' over as a plain scalar; go-yaml keeps it a string",
    ),
]

STREAM = [
    Row("yaml-1.1", "%YAML 1.1\n---\na: 1\n", doc(a=1)),
    Row("yaml-1.2", "%YAML 1.2\n---\na: 1\n", Rejected("RP001", 1, 1), GoRejects()),
    Row(
        "yaml-1.2-second", "a: 1\n...\n%YAML 1.2\n---\nb: 2\n", Rejected("RP001", 3, 1), GoRejects()
    ),
    Row("yaml-2.0", "%YAML 2.0\n---\na: 1\n", Rejected("RP001", 1, 1), GoRejects()),
    Row("doc-end-then-content", "a: 1\n...\nb: 2\n", Rejected("RP001", 3, 1), GoRejects()),
    Row("doc-end-then-start", "a: 1\n...\n---\nb: 2\n", [{"a": 1}, {"b": 2}]),
    Row("doc-inline-scalars", "--- a\n--- b\n", ["a", "b"]),
    Row("empty-documents", "---\n---\na: 1\n", [{"a": 1}]),
    Row("after-error", "a: 1\n---\nb: [c\n", Rejected("RP001", 4, 1), GoRejects()),
]


def typed(value: Any) -> Any:
    """A value with its types spelled out, so True and 1, or 1 and 1.0, differ."""
    if value is None:
        return None
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("int", value)
    if isinstance(value, float):
        return ("float", "nan" if math.isnan(value) else value)
    if isinstance(value, str):
        return ("str", value)
    if isinstance(value, list):
        return ("list", [typed(item) for item in value])
    return ("map", {key: typed(item) for key, item in value.items()})
