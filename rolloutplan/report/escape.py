"""Text from manifests made safe for each output format.

Whatever a manifest or a file name holds (kinds, names, keys, values, paths) reaches the
output, and the reader of that output may be a terminal, a GitHub runner scanning every line
for workflow commands, a Markdown renderer or an XML parser.  Each reporter passes such
strings through the function for its format:

- ``shown``: characters a terminal acts on or that hide or reorder text (C0 and C1
  controls, DEL, bidi marks, embeddings, overrides and isolates, line and paragraph
  separators), lone surrogates (a file name's undecodable bytes) and the noncharacters
  U+FFFE and U+FFFF become Python-style escapes: ``\\n``, ``\\x1b``, ``\\u202e``,
  ``\\udcff``.  A backslash in the data is left as it is.
- ``defuse_commands``: a GitHub runner runs ``::command::`` at the start of a line (after
  any whitespace) and the older ``##[command]`` anywhere in a line, on standard output and
  standard error, whatever the format; no line we print carries either from data.
- ``json_text``: JSON keeps the data exactly; the characters above are ``\\uXXXX`` escapes.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

_HIDDEN = (
    "[\x00-\x1f\x7f-\x9f"  # C0 controls, DEL, C1 controls
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, embeddings, overrides
    "\u2028\u2029\ud800-\udfff\ufffe\uffff]"  # line separators, surrogates, noncharacters
)
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
# `::` opening a line after any whitespace (str.isspace covers what .NET's TrimStart trims)
_COMMAND_START = re.compile(r"^([^\S\n]*):(?=:)", re.MULTILINE)
_LEGACY_COMMAND = "##["


def shown(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every hidden character escaped; ``keep_newlines`` leaves ``\\r`` and
    ``\\n`` for a format that escapes them its own way."""
    if text.isprintable():  # nearly every string: no need for the pattern
        return text
    return _hidden().sub(_escape_but_newlines if keep_newlines else _escape, text)


@functools.cache
def _hidden() -> re.Pattern[str]:
    """Compiled on first use: half a millisecond a run that prints nothing hidden saves."""
    return re.compile(_HIDDEN)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def _escape_but_newlines(match: re.Match[str]) -> str:
    return match.group() if match.group() in "\r\n" else _escape(match)


def _json_escape(match: re.Match[str]) -> str:
    """json.dumps has escaped C0 controls in strings: one left is its own indentation."""
    char = match.group()
    return char if char < " " else f"\\u{ord(char):04x}"


def shown_line(text: str) -> str:
    """One line of terminal text (a summary, a message on stderr): shown and defused."""
    return defuse_text(shown(text))


def defuse_legacy(text: str, hash_sign: str = "\\x23") -> str:
    """``##[`` (a command anywhere in a line) as ``#`` ``hash_sign`` ``[``."""
    return text.replace(_LEGACY_COMMAND, f"#{hash_sign}[")


def defuse_commands(output: str, *, colon: str, hash_sign: str) -> str:
    """``output`` with no workflow command from data: the first ``:`` of a line opening with
    ``::`` becomes ``colon`` and ``##[`` becomes ``#`` ``hash_sign`` ``[`` (each format passes
    its own spelling of the two characters).  Only for text in which we write no command."""
    output = _COMMAND_START.sub(lambda m: m.group(1) + colon, output)
    return defuse_legacy(output, hash_sign)


def defuse_text(output: str) -> str:
    """``defuse_commands`` for terminal text and Markdown: ``\\x3a`` and ``\\x23``."""
    return defuse_commands(output, colon="\\x3a", hash_sign="\\x23")


def json_text(document: Any) -> str:
    """``document`` as indented JSON, non-ASCII text as itself but hidden characters, lone
    surrogates and ``##[`` as ``\\u`` escapes: the same values, safe to print anywhere."""
    text = json.dumps(document, indent=2, ensure_ascii=False)
    text = _hidden().sub(_json_escape, text)
    return text.replace(_LEGACY_COMMAND, "#\\u0023[") + "\n"
