"""RP009 (nesting deeper than 200 levels) is found before libyaml's recursive composer sees
the text.  A cheap test lets most files skip the event-by-event scan; a text it finds
shallow must never be too deep, or such a document would pass."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rolloutplan.load.yaml_docs import (
    MAX_DEPTH,
    _nested_too_deep,
    _shallow,
    load_documents,
)

BLOCK = ("map", "map-sequence-at-key", "sequence", "compact-sequence")
FLOW = ("flow-sequence", "flow-mapping")


def render(levels: list[str]) -> str:
    """One chain of nested collections, each written as ``levels`` says: a block mapping,
    a block sequence written at its key's indentation, a block sequence, a compact sequence
    ("- - x"), and from the first flow level on, flow collections."""
    lines: list[str] = []
    lead = ""  # what the current line holds before the next node
    for i, level in enumerate(levels):
        if level in FLOW:
            flow = "x"
            for inner in reversed(levels[i:]):
                flow = "{k: " + flow + "}" if inner == "flow-mapping" else f"[{flow}]"
            lines.append(lead + flow)
            return "\n".join(lines) + "\n"
        if level == "compact-sequence":
            lead += "- "
            continue
        column = len(lead)
        if level == "sequence":  # its item indented by one column only, the least YAML allows
            lines.append(lead + "-")
            lead = " " * (column + 1)
            continue
        lines.append(lead + "k:")
        at_key = level == "map-sequence-at-key" and i + 1 < len(levels)
        at_key = at_key and levels[i + 1] in ("sequence", "compact-sequence")
        lead = " " * (column if at_key else column + 2)
    lines.append(lead + "x")
    return "\n".join(lines) + "\n"


levels = st.lists(st.sampled_from(BLOCK), min_size=0, max_size=260).flatmap(
    lambda block: st.lists(st.sampled_from(FLOW), max_size=40).map(lambda flow: block + flow)
)


@given(levels)
def test_a_text_found_shallow_is_never_too_deep(chain: list[str]) -> None:
    text = render(chain)
    found = _nested_too_deep(text)
    if _shallow(text):
        assert len(chain) <= MAX_DEPTH and found is None  # the chain's depth
    assert (found is not None) == (len(chain) > MAX_DEPTH)
    problems = [p.rule_id for p in load_documents(text).problems]
    assert ("RP009" in problems) == (len(chain) > MAX_DEPTH)


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\r", "\x85", "\u2028", "\u2029"])
def test_sequences_at_their_keys_indentation_count_twice_per_column(line_break: str) -> None:
    """k:, then - at the same column: two levels per column (found by a review: 202 levels
    in lines of at most 102 characters passed)."""
    text = render(["map-sequence-at-key", "sequence"] * 101).replace("\n", line_break)
    assert [p.rule_id for p in load_documents(text).problems] == ["RP009"]
    assert [
        p.rule_id
        for p in load_documents(render(["map-sequence-at-key", "sequence"] * 100)).problems
    ] == []
