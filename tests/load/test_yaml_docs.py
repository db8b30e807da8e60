"""The loader reads YAML as Kubernetes does (go-yaml v2, sigs.k8s.io/yaml) and keeps positions."""

from __future__ import annotations

import math
import time
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rolloutplan.load import yaml_docs
from rolloutplan.load.yaml_docs import load_documents, locate, resolve_plain


def only(text: str) -> object:
    result = load_documents(text)
    assert result.problems == ()
    (document,) = result.documents
    return document.data


@pytest.mark.parametrize(
    ("plain", "value"),
    [
        # YAML 1.1 booleans, as go-yaml v2 resolves them
        ("yes", True),
        ("Yes", True),
        ("YES", True),
        ("y", True),
        ("on", True),
        ("ON", True),
        ("no", False),
        ("n", False),
        ("off", False),
        ("Off", False),
        ("true", True),
        ("False", False),
        ("~", None),
        ("null", None),
        ("", None),
        # integers: leading-zero octal, 0o / 0x / 0b prefixes, underscores
        ("017", 15),
        ("0o17", 15),
        ("0x1F", 31),
        ("0b101", 5),
        ("-0b101", -5),
        ("1_000", 1000),
        ("+5", 5),
        ("-12", -12),
        ("0", 0),
        # not octal, so a float (strconv.ParseInt fails, the float pattern matches)
        ("08", 8.0),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        (".5", 0.5),
        # strings: timestamps stay strings, base 60 is not supported, words not in the table
        ("2024-01-01", "2024-01-01"),
        ("12:30", "12:30"),
        ("Yess", "Yess"),
        ("nginx:1.25", "nginx:1.25"),
        ("25%", "25%"),
        ("0x", "0x"),
        ("1.2.3", "1.2.3"),
        ("-", "-"),
    ],
)
def test_plain_scalars_resolve_like_go_yaml_v2(plain: str, value: object) -> None:
    resolved = resolve_plain(plain)
    assert resolved == value
    assert type(resolved) is type(value)


def test_special_floats_resolve() -> None:
    assert resolve_plain(".inf") == math.inf
    assert resolve_plain("-.Inf") == -math.inf
    assert math.isnan(resolve_plain(".nan"))


def test_quoted_and_tagged_scalars_are_strings_or_their_tag() -> None:
    data = only('a: "yes"\nb: \'017\'\nc: !!str 3\nd: !!int "7"\ne: !!float 1\n')
    assert data == {"a": "yes", "b": "017", "c": "3", "d": 7, "e": 1.0}


def test_yes_in_a_manifest_is_a_boolean() -> None:
    data = only("spec:\n  paused: yes\n  template:\n    spec:\n      hostNetwork: on\n")
    assert data == {"spec": {"paused": True, "template": {"spec": {"hostNetwork": True}}}}


def test_non_string_keys_become_strings_as_sigs_yaml_does() -> None:
    assert only("1: a\ntrue: b\n1.5: c\n") == {"1": "a", "true": "b", "1.5": "c"}


def test_merge_keys_merge_without_overriding_explicit_keys() -> None:
    text = "base: &b {cpu: 1, memory: 2}\nobj:\n  <<: *b\n  memory: 3\n"
    assert only(text)["obj"] == {"cpu": 1, "memory": 3}


def test_a_y_key_is_the_boolean_true_as_in_go_yaml_v2() -> None:
    # a well-known sigs.k8s.io/yaml surprise: the key y decodes as true, then becomes "true"
    assert only("x: 1\ny: 2\n") == {"x": 1, "true": 2}


def test_multi_document_stream_skips_empty_documents_and_keeps_indexes() -> None:
    text = "# comment\n---\na: 1\n---\n---\n# only a comment\n---\nb: 2\n...\n---\n~\n"
    result = load_documents(text)
    assert result.problems == ()
    assert [(d.index, d.data, d.line) for d in result.documents] == [
        (0, {"a": 1}, 3),
        (3, {"b": 2}, 8),
    ]


def test_json_text_loads_with_positions() -> None:
    text = '{\n  "kind": "Service",\n  "spec": {"ports": [{"port": "80"}]}\n}\n'
    assert only(text) == {"kind": "Service", "spec": {"ports": [{"port": "80"}]}}
    assert locate(text, 0, ("spec", "ports", 0, "port"))[:2] == (3, 31)


def test_locate_points_at_values_keys_and_items() -> None:
    text = (
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "spec:\n"
        "  strategy:\n"
        "    rollingUpdate: {maxSurge: 1, maxUnavailable: -1}\n"
        "  template:\n"
        "    spec:\n"
        "      containers:\n"
        "      - name: web\n"
        "        ports:\n"
        "        - containerPort: '80'\n"
    )
    assert locate(text, 0, ("spec", "strategy", "rollingUpdate", "maxUnavailable")) == (
        5,
        50,
        ("spec", "strategy", "rollingUpdate", "maxUnavailable"),
    )
    port = ("spec", "template", "spec", "containers", 0, "ports", 0, "containerPort")
    assert locate(text, 0, port)[:2] == (11, 26)
    assert locate(text, 0, port, at_key=True)[:2] == (11, 11)
    assert locate(text, 0, ("spec", "template"))[:2] == (6, 3)  # a mapping value: its key
    assert locate(text, 0, ("spec", "template", "spec", "containers", 0))[:2] == (9, 9)
    # a missing field points at the key of its deepest existing ancestor
    assert locate(text, 0, ("spec", "selector")) == (3, 1, ("spec",))
    assert locate(text, 0, ()) == (1, 1, ())


def test_locate_in_the_second_document_of_a_stream() -> None:
    text = "a: 1\n---\nkind: Service\nspec:\n  type: Foo\n"
    assert locate(text, 1, ("spec", "type"))[:2] == (5, 9)


def test_duplicate_keys_are_refused_at_the_second_key() -> None:
    result = load_documents("spec:\n  replicas: 1\n  replicas: 2\n")
    (problem,) = result.problems
    assert (problem.rule_id, problem.line, problem.column) == ("RP002", 3, 3)


def test_syntax_error_has_line_and_column() -> None:
    result = load_documents("a: 1\nb: [1, 2\nc: 3\n")
    (problem,) = result.problems
    assert problem.rule_id == "RP001"
    assert (problem.line, problem.column) == (3, 2)


def test_documents_before_a_syntax_error_are_kept() -> None:
    result = load_documents("a: 1\n---\nb: [\n")
    assert [d.data for d in result.documents] == [{"a": 1}]
    assert [p.rule_id for p in result.problems] == ["RP001"]


def test_python_tags_are_never_constructed(tmp_path: object) -> None:
    result = load_documents("a: !!python/object/apply:os.system ['touch /tmp/rp-pwned']\n")
    (problem,) = result.problems
    assert problem.rule_id == "RP007"
    assert "python/object/apply" in problem.message


def test_local_tags_are_refused() -> None:
    assert load_documents("a: !Ref foo\n").problems[0].rule_id == "RP007"


def test_billion_laughs_is_refused_fast_with_bounded_memory() -> None:
    levels = ["a: &a [" + ", ".join(['"lol"'] * 9) + "]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    text = "\n".join(levels) + "\n"
    tracemalloc.start()
    started = time.perf_counter()
    result = load_documents(text)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [p.rule_id for p in result.problems] == ["RP008"]
    assert result.documents == ()
    # limits, not timings: the document is refused after a bounded amount of work
    assert peak < 20 * 1024 * 1024
    assert elapsed < 5  # generous: the bound that matters is memory and the refusal itself


def test_reasonable_alias_use_is_accepted() -> None:
    text = "defaults: &d {cpu: 100m, memory: 64Mi}\n" + "".join(
        f"c{i}: {{requests: *d, limits: *d}}\n" for i in range(1000)
    )
    assert load_documents(text).problems == ()


def test_alias_cycles_are_refused() -> None:
    assert load_documents("a: &a [*a]\n").problems[0].rule_id == "RP001"


@pytest.mark.parametrize("depth", [yaml_docs.MAX_DEPTH + 1, 100_000])
def test_deep_nesting_is_refused_without_crashing(depth: int) -> None:
    result = load_documents("a: " + "[" * depth + "]" * depth + "\n")
    assert [p.rule_id for p in result.problems] == ["RP009"]


def test_deep_block_nesting_is_refused() -> None:
    text = "".join(" " * i + "k:\n" for i in range(yaml_docs.MAX_DEPTH + 5))
    assert [p.rule_id for p in load_documents(text).problems] == ["RP009"]


def test_nesting_at_the_limit_is_accepted() -> None:
    depth = yaml_docs.MAX_DEPTH - 1  # plus the top-level mapping
    assert load_documents("a: " + "[" * depth + "]" * depth + "\n").problems == ()


def test_the_libyaml_parser_is_in_use() -> None:
    # ruamel.yaml silently falls back to pure Python without ruamel.yaml.clib: 5x slower
    assert yaml_docs.CParser.__module__.endswith("_ruamel_yaml")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_loads_or_gives_problems_never_raises(text: str) -> None:
    result = load_documents(text)
    assert all(p.rule_id.startswith("RP0") and p.line >= 1 for p in result.problems)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789+-._xobeE:yYnNtTfF", max_size=12))
def test_plain_resolution_never_raises(text: str) -> None:
    resolve_plain(text)
