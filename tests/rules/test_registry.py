"""The rule registry: ids, names, docs, fixtures, and the generated docs/rules.md."""

from __future__ import annotations

from rolloutplan.report.rules_doc import render_rules_markdown
from rolloutplan.rules import ALL_RULES, REGISTRY
from rolloutplan.rules.base import DOC_SECTIONS, RULE_ID, RULE_NAME
from tests.conftest import FIXTURES, ROOT

# Rules whose findings no manifest fixture can produce (a bug of ours, an unreadable path);
# they are exercised by tests/test_lint_cli.py instead.
WITHOUT_FIXTURES = {"RP000", "RP012"}
# Loading and schema rules are fixture-tested through fixtures/bad and tests/test_lint_cli.py.
FIXTURE_DIRS_FROM = "RP2"


def test_ids_and_names_are_unique_and_well_formed() -> None:
    assert len({r.id for r in ALL_RULES}) == len(ALL_RULES)
    assert len({r.name for r in ALL_RULES}) == len(ALL_RULES)
    for rule in ALL_RULES:
        assert RULE_ID.match(rule.id) and RULE_NAME.match(rule.name)
        assert REGISTRY.get(rule.id) is rule and REGISTRY.get(rule.name) is rule


def test_every_doc_has_all_sections_in_order() -> None:
    for rule in ALL_RULES:
        positions = [rule.doc.index(section) for section in DOC_SECTIONS]
        assert positions == sorted(positions), rule.id
        assert rule.summary.endswith("."), rule.id


def test_every_semantic_rule_has_a_passing_and_a_failing_fixture() -> None:
    for rule in ALL_RULES:
        if rule.id < FIXTURE_DIRS_FROM or rule.id in WITHOUT_FIXTURES:
            continue
        folder = FIXTURES / "rules" / rule.name
        assert list(folder.glob("pass*.yaml")), f"{rule.id} {rule.name} has no pass fixture"
        fails = [p for p in folder.glob("fail*.yaml") if not p.name.endswith(".previous.yaml")]
        assert fails, f"{rule.id} {rule.name} has no fail fixture"
        assert any(rule.id in p.read_text(encoding="utf-8") for p in fails), rule.id


def test_fixture_folders_are_named_after_rules() -> None:
    names = {rule.name for rule in ALL_RULES}
    for folder in (FIXTURES / "rules").iterdir():
        if folder.is_dir():
            assert folder.name in names, folder


def test_docs_rules_md_is_current() -> None:
    # regenerate with: rolloutplan rules --format markdown > docs/rules.md
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == render_rules_markdown(
        REGISTRY
    )
