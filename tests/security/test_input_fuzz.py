"""Mutants of real manifests through the CLI: whatever the bytes, the answer is findings
(never a traceback, never RP000, the internal-error rule), the exit code is 0, 1 or 2, and
the JSON output parses.  A damaged --previous file never costs the current file its
findings.  HYPOTHESIS_PROFILE=fuzz runs 5,000 examples of each (see the README)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rolloutplan.cli import cli
from tests.conftest import FIXTURES

MANIFESTS = sorted(
    path
    for folder in ("seed", "plans", "yaml11", "bad")
    for path in (FIXTURES / folder).iterdir()
    if path.suffix in (".yaml", ".json") and path.stat().st_size < 20_000
)
VALID = sorted(p for p in MANIFESTS if p.parent.name in ("seed", "plans"))
SNIPPETS = [
    b": ", b"- ", b"[", b"]", b"{", b"}", b",", b"'", b'"', b"\t", b"\r", b"? ", b"|", b">-",
    b"#", b"---\n", b"...\n", b"%YAML 1.1\n", b"\n  ", b"\x00", b"\xff", b"\xef\xbb\xbf",
    b"&a ", b"*a", b"<<: *a\n", b"&b [*a, *a, *a, *a, *a, *a]", b"!!python/object ", b"!Ref ",
    b"!!int ", b"!!binary ", b"~", b"yes", b"y", b"017", b"0x", b"1_000", b".inf", b"-.nan",
    b"1" * 4301, b"-" + b"9" * 5000, b"1e99999", b"1e309", b"2147483648", b"-1", b"0",
    b"9223372036854775808", b"[" * 300, b"{a: " * 250, b"- " * 250, b"kind: List\n",
    b"items:\n- ", b"apiVersion: apps/v1\n", b"kind: Service\n", b"kind: Deployment\n",
    b'"\\u0000"', b"\x1b[31m", b"\xe2\x80\xae", b"10Gi", b"100m", b"1e99999999", b"25%",
    b"${NODE_PORT}", b"{{ .Values.x }}", b"null", b"[]", b"{}",
]  # fmt: skip
MUTATION = st.one_of(
    st.tuples(st.just("flip"), st.integers(min_value=0), st.integers(0, 255)),
    st.tuples(st.just("truncate"), st.integers(min_value=0), st.just(b"")),
    st.tuples(st.just("insert"), st.integers(min_value=0), st.sampled_from(SNIPPETS)),
    st.tuples(st.just("replace"), st.integers(min_value=0), st.sampled_from(SNIPPETS)),
    st.tuples(st.just("delete"), st.integers(min_value=0), st.integers(1, 40)),
)
RUNNER = CliRunner()


def mutate(data: bytes, mutations: list[tuple[str, int, Any]]) -> bytes:
    for kind, position, argument in mutations:
        at = position % (len(data) + 1)
        if kind == "flip" and data:
            at %= len(data)
            data = data[:at] + bytes([data[at] ^ (argument or 1)]) + data[at + 1 :]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "insert":
            data = data[:at] + argument + data[at:]
        elif kind == "replace":  # a scalar's value, or whatever follows the next ": "
            start = data.find(b": ", at)
            if start >= 0:
                end = data.find(b"\n", start)
                data = data[: start + 2] + argument + (data[end:] if end >= 0 else b"")
        elif kind == "delete":
            data = data[:at] + data[at + argument :]
    return data


def run(*args: str, stdin: bytes | None = None) -> tuple[int, dict[str, Any]]:
    """The CLI in-process; an exception (a traceback) fails the example."""
    command, *rest = args
    options = [command, "--no-cache", "--format", "json", *rest]
    result = RUNNER.invoke(cli, options, input=stdin, catch_exceptions=False)
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    document = json.loads(result.stdout)
    rules = [f["rule"] for f in document["findings"]]
    assert "RP000" not in rules, [f for f in document["findings"] if f["rule"] == "RP000"]
    return result.exit_code, document


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    source=st.sampled_from(MANIFESTS),
    mutations=st.lists(MUTATION, min_size=1, max_size=4),
    command=st.sampled_from(["lint", "check"]),
)
def test_mutated_manifests_give_findings_never_errors(
    source: Path, mutations: list[tuple[str, int, Any]], command: str
) -> None:
    run(command, "-", stdin=mutate(source.read_bytes(), mutations))


@pytest.fixture(scope="module")
def previous_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("previous") / "previous.yaml"


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(source=st.sampled_from(VALID), mutations=st.lists(MUTATION, min_size=1, max_size=4))
def test_a_mutated_previous_file_never_costs_the_current_one_its_findings(
    previous_file: Path, source: Path, mutations: list[tuple[str, int, Any]]
) -> None:
    _, alone = run("lint", str(source))
    previous_file.write_bytes(mutate(source.read_bytes(), mutations))
    _, compared = run("check", "--previous", str(previous_file), str(source))
    assert compared["summary"]["checked"] == alone["summary"]["checked"]
    reading = {(f["line"], f["rule"]) for f in alone["findings"] if f["rule"] < "RP2"}
    assert reading <= {(f["line"], f["rule"]) for f in compared["findings"]}
