"""The loader against the table of constructs that libyaml and go-yaml v2 read differently."""

from __future__ import annotations

import pytest

from rolloutplan.load.yaml_docs import load_documents
from tests.load.goyaml_cases import Rejected, Row, rows, typed


@pytest.mark.parametrize("row", rows(), ids=lambda row: row.name)
def test_yaml_is_read_as_go_yaml_v2_reads_it(row: Row) -> None:
    loaded = load_documents(row.text)
    if isinstance(row.ours, Rejected):
        assert [(p.rule_id, p.line, p.column) for p in loaded.problems][:1] == [
            (row.ours.rule, row.ours.line, row.ours.column)
        ], [p.message for p in loaded.problems]
    else:
        assert loaded.problems == ()
        assert typed([d.data for d in loaded.documents]) == typed(row.ours)


def test_every_row_has_a_unique_name() -> None:
    names = [row.name for row in rows()]
    assert len(names) == len(set(names))
