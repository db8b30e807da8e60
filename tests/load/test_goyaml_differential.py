"""rolloutplan's YAML loader against the real go-yaml v2, the reader Kubernetes uses.

A developer check: it builds tests/load/goyaml (a small Go program on the go-yaml v2 source
that Debian ships in golang-gopkg-yaml.v2-dev) and skips itself when Go or that source is
absent.  rolloutplan itself never needs Go.  Set ROLLOUTPLAN_GOYAML_GOPATH to a GOPATH that
holds src/gopkg.in/yaml.v2 to use another copy.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rolloutplan.load.yaml_docs import LoadResult, load_documents
from tests.load.goyaml_cases import GoRejects, Rejected, Row, rows, typed

PROGRAM = Path(__file__).resolve().parent / "goyaml"
GOPATH = Path(os.environ.get("ROLLOUTPLAN_GOYAML_GOPATH", "/usr/share/gocode"))

Outcome = dict[str, Any]  # {"plain": {"ok": ..., "docs": [...]}, "strict": {...}}


@pytest.fixture(scope="module")
def goyaml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    go = shutil.which("go")
    if go is None:
        pytest.skip("go is not installed")
    if not (GOPATH / "src" / "gopkg.in" / "yaml.v2" / "yaml.go").is_file():
        pytest.skip(
            f"the go-yaml v2 source is not in {GOPATH} (apt install golang-gopkg-yaml.v2-dev)"
        )
    work = tmp_path_factory.mktemp("goyaml")
    binary = work / "goyaml"
    env = {
        **os.environ,
        "GOPATH": str(GOPATH),
        "GO111MODULE": "off",  # the source from GOPATH, never the network
        "GOFLAGS": "",
        "GOPROXY": "off",
        "GOCACHE": str(work / "cache"),
    }
    built = subprocess.run(
        [go, "build", "-o", str(binary), "."],
        cwd=PROGRAM,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if built.returncode != 0:
        pytest.skip(f"cannot build the go-yaml program: {built.stderr.strip()}")
    return binary


def read_with_go(binary: Path, texts: list[str]) -> list[Outcome]:
    done = subprocess.run(
        [str(binary)], input=json.dumps(texts), capture_output=True, text=True, check=True
    )
    outcomes: list[Outcome] = json.loads(done.stdout)
    return outcomes


def from_go(tree: Any) -> Any:
    """The Go program's typed tree in the form of goyaml_cases.typed."""
    if tree is None:
        return None
    if isinstance(tree, list):
        return ("list", [from_go(item) for item in tree])
    ((kind, value),) = tree.items()
    if kind == "m":
        return ("map", {key: from_go(item) for key, item in value.items()})
    converted = {"b": lambda: value, "i": lambda: int(value), "f": lambda: float(value)}
    name = {"b": "bool", "i": "int", "f": "float", "s": "str"}[kind]
    return (name, converted.get(kind, lambda: value)())


def go_documents(outcome: Outcome) -> Any:
    return ("list", [from_go(document) for document in outcome["plain"].get("docs") or []])


@pytest.fixture(scope="module")
def table_outcomes(goyaml: Path) -> dict[str, Outcome]:
    table = rows()
    return dict(
        zip(
            (row.name for row in table),
            read_with_go(goyaml, [row.text for row in table]),
            strict=True,
        )
    )


@pytest.mark.parametrize("row", rows(), ids=lambda row: row.name)
def test_table_row_is_what_go_yaml_v2_does(row: Row, table_outcomes: dict[str, Outcome]) -> None:
    outcome = table_outcomes[row.name]
    expected = row.ours if row.go is None else row.go
    if isinstance(expected, GoRejects) and expected.strict_only:
        assert outcome["plain"]["ok"], outcome
        assert not outcome["strict"]["ok"], outcome
    elif isinstance(expected, GoRejects | Rejected):
        assert not outcome["plain"]["ok"], outcome
    else:
        assert outcome["plain"]["ok"], outcome
        assert go_documents(outcome) == typed(expected)


def agrees(text: str, ours: LoadResult, outcome: Outcome) -> bool:
    """Whether the loader's verdict is go-yaml's: the same documents, or a rejection that
    go-yaml makes too (duplicate keys: in its strict mode, as Kubernetes decodes)."""
    if not ours.problems:
        documents = typed([d.data for d in ours.documents])
        return outcome["plain"]["ok"] and documents == go_documents(outcome)
    rule = ours.problems[0].rule_id
    if rule == "RP002":
        return not outcome["strict"]["ok"]
    if known_gap(text, ours.problems[0].message):
        return True
    return not outcome["plain"]["ok"]


def known_gap(text: str, problem: str) -> bool:
    """The table's known gaps, which go-yaml accepts and the loader refuses: a redefined
    anchor (anchor-redefined) and a quote right before a colon inside a flow plain scalar
    (flow-colon-after-quote-in-plain)."""
    return "found duplicate anchor" in problem or (
        "found unexpected ':'" in problem
        and re.search(r"[^\s\[{,]\s*['\"][^\s,\]}]*:", text) is not None
    )


# Pieces of YAML around the constructs where libyaml and go-yaml differ.
PIECES = [
    "a",
    "b",
    "1",
    "0x1",
    "y",
    "~",
    "1.5",
    "a:b",
    "0.0.0.0:80",
    "http://h:1/p",
    ":",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ", ",
    ",",
    "\n",
    "\n  ",
    " ",
    "\t",
    " #c",
    "'q'",
    '"d"',
    '"k":',
    "? ",
    "&x ",
    "*x",
    "<<: ",
    "---\n",
    "...\n",
    "|\n  ",
    "!!str ",
    "\r\n",
    "?",
    " :",
    " :b",
    "\ue000",
    '"\\ue001"',
    "!<tag:yaml.org,2002:str> ",
]
texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map("".join)


@given(st.lists(texts, min_size=1, max_size=40))
def test_generated_yaml_is_read_as_go_yaml_v2_reads_it(goyaml: Path, batch: list[str]) -> None:
    outcomes = read_with_go(goyaml, batch)
    wrong = [
        (text, ours.problems[:1] or [d.data for d in ours.documents], outcome)
        for text, outcome in zip(batch, outcomes, strict=True)
        if not agrees(text, ours := load_documents(text), outcome)
    ]
    assert wrong == []
