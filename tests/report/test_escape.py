"""The escaping functions every reporter uses (rolloutplan/report/escape.py)."""

from __future__ import annotations

import json

import pytest

from rolloutplan.report.escape import defuse_text, json_text, shown


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("plain café ■ 名前 \\x1b", "plain café ■ 名前 \\x1b"),  # a backslash stays as it is
        ("a\nb\rc\td", "a\\nb\\rc\\td"),
        ("\x00\x07\x1b[31m\x7f", "\\x00\\x07\\x1b[31m\\x7f"),
        ("\x85\x9b", "\\x85\\x9b"),  # C1 controls, 8-bit CSI
        ("\u202e\u2066\u200f\u061c", "\\u202e\\u2066\\u200f\\u061c"),  # bidi
        ("\u2028\u2029", "\\u2028\\u2029"),
        ("\udce9\ud800\ufffe", "\\udce9\\ud800\\ufffe"),  # undecodable byte, surrogate
    ],
)
def test_shown_escapes_hidden_characters_only(text: str, escaped: str) -> None:
    assert shown(text) == escaped


def test_shown_can_leave_newlines_to_the_format() -> None:
    assert shown("a\r\nb\x1b", keep_newlines=True) == "a\r\nb\\x1b"


@pytest.mark.parametrize(
    ("output", "defused"),
    [
        ("::error::x\n", "\\x3a:error::x\n"),
        ("ok\n \u00a0\t::add-mask::y\n", "ok\n \u00a0\t\\x3a:add-mask::y\n"),
        ("a ##[set-output name=x]y\n", "a #\\x23[set-output name=x]y\n"),
        ("a: b :: c # [d]\n", "a: b :: c # [d]\n"),
    ],
)
def test_defuse_breaks_workflow_commands_only(output: str, defused: str) -> None:
    assert defuse_text(output) == defused


def test_json_text_keeps_the_values_and_prints_no_hidden_character() -> None:
    value = "a\x00\x7f\x9b\u202e\u2028\udce9##[b é"
    text = json_text({"k": value})
    assert text == '{\n  "k": "a\\u0000\\u007f\\u009b\\u202e\\u2028\\udce9#\\u0023[b é"\n}\n'
    assert json.loads(text) == {"k": value}
