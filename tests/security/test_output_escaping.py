"""Manifest data cannot inject into any output: hostile kinds, names, keys, values, images,
file names and parse errors go through lint, plan, services and check in every format, and
every output keeps its invariants (see ``check_output``).

The hostile files are written from the tests into tmp_path: names with control bytes
cannot always be committed.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import ROOT, RunCli

SARIF_SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_bytes())
FORMATS = ("text", "json", "sarif", "github", "markdown", "junit")
COMMANDS = ("lint", "plan", "services", "check")

# A value that tries everything: workflow commands (new and legacy) after a newline, a
# carriage return, terminal escapes (7-bit ESC and 8-bit CSI), NUL, BEL, DEL, bidi
# override and isolate, a line separator, and Markdown/HTML that would break a table.
HOSTILE = (
    "x\x1b[31m\r\n::error file=.github/workflows/ci.yml,line=1::pwned\n::add-mask::x"
    "\n  ::warning::indented ##[add-mask]legacy\x00\x07\x7f\x9b2J\u202eevil\u2066\u2028"
    "\u0085|`code`<img src=x onerror=alert(1)>*b*_i_[l](http://x)&lt;\t~s~"
)
WORKFLOW_COMMAND = re.compile(r"^::(error|warning|notice|group|endgroup)( [^:]*)?::")
# Characters no terminal, GitHub log or Markdown output may carry raw (\n is ours)
HIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)
GITHUB_PROPERTIES = {"file", "line", "col", "title"}


def deployment(name: str, namespace: str = "default", **extra: Any) -> dict[str, Any]:
    labels = {"app": "web"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, **extra.pop("metadata", {})},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "web", "image": extra.pop("image", "nginx:1")}]},
            },
            **extra,
        },
    }


def service(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}], **spec},
    }


def hostile_documents(value: str, image: str = "nginx:1") -> list[dict[str, Any]]:
    """Objects that carry ``value`` in every place that reaches the output; ``image`` is the
    valid Deployment's (another one in --previous makes a rollout to plan)."""
    everywhere = deployment(
        value,
        value,
        image=value,
        metadata={
            "labels": {value: value},
            "annotations": {value: value, "rolloutplan.io/ignore-unknown-field": value},
        },
    )
    everywhere["spec"][value] = 1  # an unknown field: RP102 quotes its name
    everywhere["spec"]["strategy"] = {"type": value}
    return [
        {"apiVersion": "v1", "kind": f"ConfigMap{value}", "metadata": {"name": "c"}},
        {"apiVersion": value, "kind": value, "metadata": {"name": "k"}},
        everywhere,
        deployment("bad-image", image=f"nginx{value}", metadata={"annotations": {"a": value}}),
        deployment("web", image=image),
        service(value, type=value, externalName=value),
        service("web", ports=[{"port": 80, "targetPort": value, "name": value}]),
        service("ok"),
        # kinds that are not checked but whose pods Services select: their names are echoed
        {**deployment(value), "apiVersion": "apps/v1", "kind": "StatefulSet"},
        {**deployment(value, value), "apiVersion": "apps/v1", "kind": "DaemonSet"},
    ]


def write_manifests(folder: Path, documents: list[dict[str, Any]], name: str) -> Path:
    """The documents as YAML (JSON is YAML; ensure_ascii spells every control character as
    an escape, which YAML decodes)."""
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("\n---\n".join(json.dumps(d) for d in documents) + "\n", encoding="utf-8")
    return path


def hostile_tree(root: Path) -> Path:
    """A folder of hostile manifests, file names and broken files."""
    folder = root / "deploy"
    write_manifests(folder, hostile_documents(HOSTILE), "hostile.yaml")
    # a file name with control characters, workflow commands and a bidi override
    bad_name = "n\x1b]0;t\x07\r::error::f\n##[add-mask]m\u202e:.yaml"
    write_manifests(folder, [deployment("web2", replica=1)], bad_name)
    # bytes that are not UTF-8 in a file name
    name = os.fsdecode(b"caf\xe9\x9b.yaml")
    write_manifests(folder, [deployment("web3", replica=1)], name)
    # a syntax error and a bad character: the loader's messages quote the input
    (folder / "broken.yaml").write_bytes(b"a: [\x1b[31m\n::error::q\n")
    (folder / "control.yaml").write_bytes(b"kind: D\x1b[2J\x85eployment\n")
    return folder


def check_output(output: str, output_format: str) -> None:
    """Every invariant of ``output_format``; ``output`` is the decoded (strict UTF-8) text."""
    for line in output.splitlines():
        if output_format == "github" and line.startswith("::"):
            check_github_command(line)
            continue
        assert not line.lstrip().startswith("::"), line
        assert "##[" not in line, line
    if output_format in ("text", "github", "markdown"):
        hidden = HIDDEN.search(output)
        assert hidden is None, f"raw {hidden.group()!r} in {output!r}"
    if output_format in ("json", "sarif"):
        document = json.loads(output)
        if output_format == "sarif":
            jsonschema.Draft7Validator(SARIF_SCHEMA).validate(document)
    if output_format == "junit":
        ET.fromstring(output.encode("utf-8"))
    if output_format == "markdown":
        check_markdown(output)


def check_github_command(line: str) -> None:
    """One of our commands, read as the runner reads it (ActionCommand.TryParseV2)."""
    match = WORKFLOW_COMMAND.match(line)
    assert match is not None, line
    properties = (match.group(2) or "").strip()
    for pair in filter(None, properties.split(",")):
        key, _, value = pair.partition("=")
        assert key in GITHUB_PROPERTIES, line
        assert ":" not in value and "\r" not in value, line
        if key in ("line", "col"):
            assert value.isdigit(), line


# the HTML blocks the Markdown writes: a collapsed section's tags, its summary escaped
OUR_HTML_BLOCK = re.compile(r'<details markdown="1">\n<summary>[^<>]*</summary>\n?|</details>\n?')


def check_markdown(output: str) -> None:
    """No HTML but our ``<br>`` and ``<details>`` sections, and every table row with as many
    cells as its header."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    tokens = parser.parse(output)
    for token in tokens:
        if token.type == "html_block":
            assert OUR_HTML_BLOCK.fullmatch(token.content), token.content
        for inline in token.children or []:
            if inline.type == "html_inline":
                assert inline.content == "<br>", inline.content
    html = parser.render(output)
    for table in re.findall(r"<table>(.*?)</table>", html, re.S):
        header = len(re.findall(r"<th[\s>]", table))
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
            assert len(re.findall(r"<td[\s>]", row)) == header, row


def run_every_format(run_cli: RunCli, out: Path, command: str, *args: str | Path) -> dict[str, str]:
    """``command`` once, text on stdout and the other formats in files: format -> output."""
    out.mkdir(exist_ok=True)
    files = {fmt: out / f"{command}.{fmt}" for fmt in FORMATS[1:]}
    formats: list[str] = []
    paths: list[str | Path] = []
    for fmt, path in files.items():  # the n-th --output is the n-th --format's
        formats += ["--format", fmt]
        paths += ["-o", path]
    result = run_cli(command, *formats, "--format", "text", *paths, "-v", *args)
    assert result.exit_code in (1, 2), result.output
    outputs = {"text": result.stdout_bytes.decode("utf-8")}
    outputs |= {fmt: path.read_bytes().decode("utf-8") for fmt, path in files.items()}
    return outputs


@pytest.mark.parametrize("command", COMMANDS)
def test_hostile_manifests_inject_nothing_in_any_format(
    run_cli: RunCli, tmp_path: Path, command: str
) -> None:
    folder = hostile_tree(tmp_path)
    extra: tuple[str | Path, ...] = ("--diagram",) if command in ("plan", "check") else ()
    if command == "plan":
        before = hostile_documents(HOSTILE, image="nginx:0")
        previous = write_manifests(tmp_path / "before", before, "p.yaml")
        extra += ("--previous", previous)
    outputs = run_every_format(run_cli, tmp_path / "out", command, *extra, folder)
    for output_format, output in outputs.items():
        check_output(output, output_format)


def test_the_skipped_kind_in_the_summary_line_is_no_workflow_command(
    run_cli: RunCli, tmp_path: Path
) -> None:
    kind = "ConfigMap\n::error file=.github/workflows/ci.yml,line=1::pwned\n::add-mask::x"
    path = write_manifests(
        tmp_path, [{"apiVersion": "v1", "kind": kind, "metadata": {"name": "c"}}], "c.yaml"
    )
    result = run_cli("lint", "--format", "github", path)
    assert result.stdout.splitlines() == [
        "1 file, 0 objects checked; 1 skipped (ConfigMap\\n::error file=.github/workflows/"
        "ci.yml,line=1::pwned\\n::add-mask::x 1). 0 errors, 0 warnings, 0 info."
    ]


@pytest.mark.parametrize(
    ("output_format", "shown"),
    [
        ("text", "Widget #\\x23[add-mask]secret 1"),
        ("github", "Widget #\\x23[add-mask]secret 1"),
        ("markdown", "Widget ##\\[add-mask\\]secret 1"),  # `[` is escaped anyway
    ],
)
def test_a_legacy_command_anywhere_in_a_line_is_broken(
    run_cli: RunCli, tmp_path: Path, output_format: str, shown: str
) -> None:
    kind = "Widget ##[add-mask]secret"
    path = write_manifests(
        tmp_path, [{"apiVersion": "v1", "kind": kind, "metadata": {"name": "c"}}], "c.yaml"
    )
    output = run_cli("lint", "--format", output_format, path).stdout
    assert "##[" not in output
    assert shown in output


def test_terminal_escapes_and_newlines_in_a_value_show_as_escapes(
    run_cli: RunCli, tmp_path: Path
) -> None:
    documents = [deployment("web", **{"bad\nkey\x1b[2J\u202e": 1})]
    path = write_manifests(tmp_path, documents, "d.yaml")
    lines = run_cli("lint", path).stdout.splitlines()
    assert len(lines) == 2
    assert 'unknown field "bad\\nkey\\x1b[2J\\u202e"' in lines[0]


def test_a_file_name_that_opens_with_a_command_is_defused_in_text(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_manifests(tmp_path, [deployment("web", replica=1)], "::add-mask::x.yaml")
    output = run_cli("lint", ".").stdout
    assert output.startswith("\\x3a:add-mask::x.yaml:")


def test_a_file_name_that_is_not_utf8_is_written_not_a_crash(
    run_cli: RunCli, tmp_path: Path
) -> None:
    write_manifests(tmp_path, [deployment("web", replica=1)], os.fsdecode(b"caf\xe9.yaml"))
    for output_format in FORMATS:
        output = run_cli("lint", "--format", output_format, tmp_path).stdout_bytes
        text = output.decode("utf-8")  # strict: no lone surrogate reached the output
        check_output(text, output_format)
    text_output = run_cli("lint", tmp_path).stdout
    assert "caf\\udce9.yaml:" in text_output
    (finding,) = json.loads(run_cli("lint", "--format", "json", tmp_path).stdout)["findings"]
    assert finding["file"].endswith("caf\udce9.yaml")  # JSON keeps the name, as an escape


def test_json_keeps_the_data_exactly_but_prints_no_hidden_character(
    run_cli: RunCli, tmp_path: Path
) -> None:
    value = "a\x7f\x9b\u202e\u2028##[b"
    path = write_manifests(tmp_path, [deployment("web", **{value: 1})], "d.yaml")
    output = run_cli("lint", "--format", "json", path).stdout
    assert HIDDEN.search(output) is None and "##[" not in output
    assert "\\u007f\\u009b\\u202e\\u2028#\\u0023[b" in output
    (finding,) = json.loads(output)["findings"]
    assert finding["message"] == f'unknown field "{value}"'


def test_junit_shows_what_xml_cannot_carry(run_cli: RunCli, tmp_path: Path) -> None:
    path = write_manifests(tmp_path, [deployment("web", **{"k\x00\x1b\ufffe": 1})], "d.yaml")
    output = run_cli("lint", "--format", "junit", path).stdout
    failure = ET.fromstring(output.encode("utf-8")).find(".//failure")
    assert failure is not None
    assert failure.get("message") == 'unknown field "k\\x00\\x1b\\ufffe"'


def test_markdown_cells_and_fences_hold_hostile_text(run_cli: RunCli, tmp_path: Path) -> None:
    value = "a|b`c`<b>x</b>\n```\n<script>"
    path = write_manifests(tmp_path, [deployment("web", **{value: 1})], "d.yaml")
    output = run_cli("lint", "--format", "markdown", path).stdout
    check_markdown(output)
    (row,) = [line for line in output.splitlines() if line.startswith("| error")]
    assert row.endswith(
        'unknown field "a&#124;b\\`c\\`&lt;b&gt;x&lt;/b&gt;<br>\\`\\`\\`<br>&lt;script&gt;" |'
    )


def test_a_fenced_block_is_longer_than_any_backtick_run_in_it(
    run_cli: RunCli, tmp_path: Path
) -> None:
    workload = {**deployment("a````b"), "kind": "StatefulSet"}  # unchecked: its name is shown
    path = write_manifests(tmp_path, [workload, service("web")], "s.yaml")
    output = run_cli("services", "--format", "markdown", path).stdout
    check_markdown(output)
    assert "\n`````text\n" in output and output.endswith("\n`````\n\n</details>\n")
    assert "StatefulSet a````b" in output


def test_github_annotations_and_groups_carry_no_legacy_command(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """The runner reads ``##[command]`` anywhere in a line, inside a ``::`` command too."""
    path = tmp_path / "x##[error]y.yaml"
    path.write_text(
        'apiVersion: v1\nkind: Service\nmetadata: {name: "a##[warning]b"}\n'
        "spec: {ports: [{port: 80}], selector: {a: b}}\n"
    )
    result = run_cli("lint", "--format", "github", path)
    assert "::group::" in result.stdout and "RP201" in result.stdout
    assert "##[" not in result.stdout
