"""The rule registry: ids, names, docs, fixtures, and the generated docs/rules.md."""

from __future__ import annotations

from rolloutplan.report.rules_doc import render_rules_markdown
from rolloutplan.rules import ALL_RULES, REGISTRY
from rolloutplan.rules.base import DOC_SECTIONS, RULE_ID, RULE_NAME
from tests.conftest import FIXTURES, ROOT
from tests.test_lint_cli import BAD_INPUTS

# Loading rules fire on files that cannot carry an `# expect:` marker (binary, not UTF-8,
# empty, syntax errors): their bad-input fixtures are in fixtures/bad, and
# tests/test_lint_cli.py asserts each one's rule, line and column (BAD_INPUTS).
# The rest are tested where named.
TESTED_ELSEWHERE = {
    "RP000": "no input triggers it (our own failure): the engine's guard is all there is",
    "RP010": "tests/test_lint_cli.py::test_other_kinds_are_skipped_unless_strict",
    "RP011": "tests/inputs/test_walking.py::test_a_file_without_documents_is_skipped",
    "RP012": "tests/test_lint_cli.py::test_missing_path_exits_2_but_the_other_files_are_checked",
    "RP013": "tests/test_lint_cli.py::test_removed_api_versions_are_reported",
    "RP320": "tests/planner/test_nodes_cli.py (it needs --nodes, --zones or Node objects)",
    "RP321": "tests/planner/test_scheduling_cli.py (it needs --nodes, --zones or Node objects)",
}


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


def test_every_rule_has_a_passing_and_a_failing_fixture() -> None:
    in_bad_inputs = {rule for _, rule, _, _ in BAD_INPUTS} | {"RP102"}  # typo-field.yaml
    for rule in ALL_RULES:
        if rule.id in TESTED_ELSEWHERE or (rule.id < "RP2" and rule.id in in_bad_inputs):
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
