"""Bytes -> text, refusing binary and non-UTF-8 input with the position of the bad byte."""

from __future__ import annotations

from dataclasses import dataclass

_BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class TextProblem:
    message: str
    line: int
    column: int


def decode(data: bytes) -> str | TextProblem:
    """UTF-8 text with a leading BOM dropped, or why the bytes are not a manifest."""
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _position(data, nul)
        return TextProblem("binary content (NUL byte); not a YAML or JSON manifest", line, column)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
        return TextProblem(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "Kubernetes manifests must be UTF-8",
            line,
            column,
        )
    return text[1:] if text.startswith(_BOM) else text


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    prefix = data[line_start:offset].decode("utf-8", errors="replace")
    return data.count(b"\n", 0, offset) + 1, len(prefix) + 1
