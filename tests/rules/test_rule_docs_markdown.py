"""Rule docs as Markdown (docs/rules.md, SARIF help.markdown): every YAML snippet, in the
Example and in Use instead, is a fenced block, so that its lines and indentation survive
rendering instead of collapsing into one paragraph."""

from __future__ import annotations

import re

import pytest

from rolloutplan.rules import ALL_RULES
from rolloutplan.rules.base import RuleInfo, Yaml, rule_doc
from tests.conftest import RunCli

# a line a Markdown paragraph would swallow: `key: value`, `key:`, `- key: value`, indented
YAML_LINE = re.compile(r"(\s+\S|- |[\w./-]+:( |$))")


def unfenced_yaml(markdown: str) -> list[str]:
    """Lines outside fenced blocks that look like YAML."""
    found, fenced = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and YAML_LINE.match(line):
            found.append(line)
    assert not fenced, "a fence is left open"
    return found


def test_rules_markdown_fences_every_yaml_snippet(run_cli: RunCli) -> None:
    result = run_cli("rules", "--format", "markdown")
    assert result.exit_code == 0
    assert unfenced_yaml(result.stdout) == []
    # the fix of RP102 keeps its two lines
    assert "#### Use instead\n```yaml\nspec:\n  replicas: 3\n```" in result.stdout


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.id)
def test_each_doc_fences_its_yaml(rule: RuleInfo, run_cli: RunCli) -> None:
    result = run_cli("explain", rule.id)
    assert result.exit_code == 0
    assert unfenced_yaml(result.stdout) == []


def test_a_yaml_fix_is_fenced_and_prose_is_not() -> None:
    assert rule_doc("w", "y", "a: 1", Yaml("b:\n  c: 2")).endswith(
        "## Use instead\n```yaml\nb:\n  c: 2\n```\n"
    )
    assert rule_doc("w", "y", "a: 1", "Remove `b`.").endswith("## Use instead\nRemove `b`.\n")


def test_rendered_markdown_keeps_fix_lines() -> None:
    markdown_it = pytest.importorskip("markdown_it")
    for rule in ALL_RULES:
        tokens = markdown_it.MarkdownIt().parse(rule.doc)
        paragraphs = [t.content for t in tokens if t.type == "inline"]
        assert not any(unfenced_yaml(text) for text in paragraphs), rule.id
