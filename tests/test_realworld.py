"""Complete applications known to work (fixtures/realworld): no error, no crash.

Each application is checked on its own, as its users check their repository: `check` runs
lint, the plans and Service reachability, so any error in any layer fails here.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.conftest import FIXTURES, RunCli

REALWORLD = FIXTURES / "realworld"
APPS = sorted(path.name for path in REALWORLD.iterdir() if path.is_dir())


@pytest.mark.parametrize("app", APPS)
def test_application_checks_with_zero_errors(run_cli: RunCli, app: str) -> None:
    result = run_cli("check", "--format", "json", REALWORLD / app)
    report = json.loads(result.stdout)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert not [f for f in report["findings"] if f["rule"] == "RP000"]
    assert errors == []
    assert report["summary"]["error"] == 0
    assert result.exit_code == 0
    assert sum(report["summary"]["checked"].values()) > 0


def test_corpus_holds_many_applications_each_with_its_origin() -> None:
    readme = (REALWORLD / "README.md").read_text(encoding="utf-8")
    assert len(APPS) >= 12
    assert [app for app in APPS if f"`{app}/`" not in readme] == []


def test_the_readme_counts_are_what_the_applications_give(run_cli: RunCli) -> None:
    """The objects checked and each rule's findings, summed over the applications, are the
    numbers the README's firing-rate table states: each app's objects are really checked."""
    checked: Counter[str] = Counter()
    fired: Counter[str] = Counter()
    for app in APPS:
        report = json.loads(run_cli("check", "--format", "json", REALWORLD / app).stdout)
        checked.update(report["summary"]["checked"])
        fired.update(f["rule"] for f in report["findings"])
    assert checked == {"Deployment": 54, "Service": 58}
    assert fired == {
        "RP239": 18,
        "RP242": 1,
        "RP301": 36,
        "RP302": 12,
        "RP305": 1,
        "RP312": 1,
        "RP406": 1,
    }
