"""Property: whatever text a manifest or a file name holds, every output format keeps the
invariants of ``check_output`` (no workflow command, no raw hidden character, valid JSON,
SARIF, JUnit XML and Markdown)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import RunCli
from tests.security.test_output_escaping import (
    COMMANDS,
    check_output,
    deployment,
    run_every_format,
    service,
)

FRAGMENTS = (
    "\n::error::x", "\r\n  ::add-mask::y", "##[set-output name=a]b", "\x1b[2J", "\x9b31m",
    "\u202e", "\u2066", "\u2028", "\x85", "\x00", "|", "`", "```", "<b>", "&lt;", "\\", "%0A",
    ":", ",", "\t",
)  # fmt: skip
# any text YAML can carry (surrogates reach the output through file names instead)
TEXT = st.lists(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12) | st.sampled_from(FRAGMENTS),
    max_size=4,
).map("".join)
FILE_NAME = st.binary(min_size=1, max_size=30).filter(
    lambda name: b"/" not in name and b"\0" not in name and name not in (b".", b"..")
)


def yaml_string(text: str) -> str:
    """``text`` as a YAML double-quoted scalar, every character YAML may refuse raw escaped."""
    plain = (c if " " <= c <= "~" and c not in '"\\' else f"\\U{ord(c):08x}" for c in text)
    return f'"{"".join(plain)}"'


def to_yaml(value: Any) -> str:
    """Flow-style YAML (JSON-like) with every string double-quoted and escaped."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{to_yaml(k)}: {to_yaml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_yaml(v) for v in value) + "]"
    return yaml_string(value) if isinstance(value, str) else str(value).lower()


@st.composite
def manifests(draw: st.DrawFn) -> list[dict[str, Any]]:
    kind, name, namespace, label, image, field = (draw(TEXT) for _ in range(6))
    hostile = deployment(name or "n", namespace or "ns", image=image, **{field or "f": 1})
    hostile["metadata"]["labels"] = {label or "l": label}
    workload = {**deployment(name or "n"), "kind": "StatefulSet"}  # unchecked: names echoed
    return [
        {"apiVersion": "v1", "kind": kind or "K", "metadata": {"name": "c"}},
        hostile,
        workload,
        deployment("web"),
        service("web"),
    ]


# run_cli holds no state between examples; each example writes into a folder of its own
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents=manifests(), file_name=FILE_NAME, command=st.sampled_from(COMMANDS))
def test_any_text_in_a_manifest_or_file_name_keeps_every_output_safe(
    run_cli: RunCli, documents: list[dict[str, Any]], file_name: bytes, command: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        deploy = Path(folder) / "deploy"
        deploy.mkdir()
        text = "\n---\n".join(to_yaml(d) for d in documents) + "\n"
        (deploy / os.fsdecode(file_name + b".yaml")).write_text(text, encoding="utf-8")
        outputs = run_every_format(run_cli, Path(folder) / "out", command, deploy)
    for output_format, output in outputs.items():
        check_output(output, output_format)
