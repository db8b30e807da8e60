"""`rolloutplan check --base REV`: the findings a change introduces, wherever they are, in real
git repositories; and `baseline.compare`, which pairs findings across the two versions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rolloutplan.baseline import compare, identity
from rolloutplan.model.finding import Finding, ObjectRef, Severity
from rolloutplan.model.source import Location
from tests.ci.test_action import SCRIPT
from tests.ci.test_check_git import GIT_ENV, git
from tests.conftest import RunCli
from tests.report.test_json_schema import assert_valid

FRONTEND = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
  namespace: shop
spec:
  replicas: 3
  selector:
    matchLabels:
      app: shop
  template:
    metadata:
      labels:
        app: shop
        tier: {tier}
    spec:
      containers:
      - name: app
        image: example.com/shop:{tag}
        ports:
        - containerPort: 8080
{probe}"""
PROBE = """\
        readinessProbe:
          httpGet:
            path: /healthz
            port: 8080
"""
FRONTEND_SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: frontend
  namespace: shop
spec:
  selector:
    app: shop
    tier: frontend
  ports:
  - port: 80
    targetPort: 8080
"""


def frontend(tier: str = "frontend", tag: str = "1.0.0", probe: bool = True) -> str:
    return FRONTEND.format(tier=tier, tag=tag, probe=PROBE if probe else "")


def commit(repo: Path, files: dict[str, str | None], message: str) -> None:
    """Write (None: delete) the files under deploy/ and commit them."""
    for name, text in files.items():
        path = repo / "deploy" / name
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    git(repo, "add", "-A", ".")
    git(repo, "commit", "-qm", message)


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose first commit holds the frontend Deployment and, in another file,
    its Service (selecting app: shop, tier: frontend)."""
    repo = tmp_path / "shop"
    repo.mkdir()
    git(repo, "init", "-q")
    commit(repo, {"frontend.yaml": frontend(), "service.yaml": FRONTEND_SERVICE}, "base")
    monkeypatch.chdir(repo)
    return repo


def check_json(run_cli: RunCli, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("check", "--format", "json", "--base", "HEAD~1", *args, "deploy")
    document = json.loads(result.stdout)
    assert_valid(document)
    return result.exit_code, document


def found(document: dict[str, Any], key: str = "findings") -> list[tuple[str, str, int | None]]:
    return [(f["rule"], f["file"], f["line"]) for f in document[key]]


def test_a_relabel_that_breaks_a_service_in_an_unchanged_file_fails(
    run_cli: RunCli, shop: Path
) -> None:
    commit(shop, {"frontend.yaml": frontend(tier="web")}, "relabel")
    result = run_cli("check", "--base", "HEAD~1", "deploy")
    assert result.exit_code == 1
    assert "deploy/service.yaml:7:3: error RP401 spec.selector:" in result.stdout
    assert "deploy/service.yaml:7:3: error RP313 spec.selector:" in result.stdout
    assert "Compared with the base revision: 3 new findings; 0 already there;" in result.stdout


def test_the_action_fails_on_the_relabel(shop: Path, tmp_path: Path) -> None:
    commit(shop, {"frontend.yaml": frontend(tier="web")}, "relabel")
    env = {
        **os.environ,
        **GIT_ENV,
        "ROLLOUTPLAN_SKIP_INSTALL": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "INPUT_PATHS": "deploy",
        "INPUT_BASE": "HEAD~1",
        "INPUT_ARGS": "",
    }
    done = subprocess.run(["bash", str(SCRIPT)], cwd=shop, env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "::error file=deploy/service.yaml,line=7,col=3,title=RP401" in done.stdout


def test_deleting_a_deployment_whose_service_stays_fails(run_cli: RunCli, shop: Path) -> None:
    commit(shop, {"frontend.yaml": None}, "delete the Deployment")
    code, document = check_json(run_cli)
    assert code == 1
    assert found(document) == [("RP401", "deploy/service.yaml", 7)]
    assert "Deployment frontend (deleted by this change)" in document["findings"][0]["message"]
    assert document["deletedDeployments"] == [
        {"namespace": "shop", "name": "frontend", "file": "deploy/frontend.yaml"}
    ]


def test_an_image_change_passes_and_hides_what_was_there_before(
    run_cli: RunCli, shop: Path
) -> None:
    commit(shop, {"frontend.yaml": frontend(probe=False)}, "no probe")  # RP301
    commit(shop, {"frontend.yaml": frontend(tag="1.1.0", probe=False)}, "new image")
    result = run_cli("check", "--base", "HEAD~1", "deploy")
    assert result.exit_code == 0
    assert "RP301" not in result.stdout
    assert "Deployment shop/frontend (deploy/frontend.yaml): rollout" in result.stdout
    assert "already there, not shown (--all shows them)" in result.stdout
    _, document = check_json(run_cli)
    # new: only the mixed-version window of this very rollout (info)
    assert [f["rule"] for f in document["findings"]] == ["RP314"]
    assert document["summary"]["baseline"] == {"new": 1, "unchanged": 1, "notShown": 1, "fixed": 0}
    assert document["fixed"] == []
    (plan,) = document["plans"]
    assert (plan["change"], plan["outcome"]) == ("rollout", "complete")


def test_an_unreadable_path_is_always_reported(run_cli: RunCli, shop: Path) -> None:
    commit(shop, {"frontend.yaml": frontend(tag="1.1.0")}, "new image")
    result = run_cli("check", "--base", "HEAD~1", "deploy", "no-such.yaml")
    assert result.exit_code == 2
    assert "no-such.yaml: error RP012" in result.stdout


def test_a_fix_is_listed_as_fixed(run_cli: RunCli, shop: Path) -> None:
    commit(shop, {"frontend.yaml": frontend(probe=False)}, "no probe")
    commit(shop, {"frontend.yaml": frontend(tag="1.1.0")}, "probe back, new image")
    code, document = check_json(run_cli)
    assert code == 0
    assert ("RP301", "deploy/frontend.yaml") in {(r, f) for r, f, _ in found(document, "fixed")}
    assert document["summary"]["baseline"]["fixed"] == len(document["fixed"])
    text = run_cli("check", "--base", "HEAD~1", "deploy").stdout
    assert "fixed by this change:\n  deploy/frontend.yaml: warning RP301 " in text


def test_findings_of_a_file_that_cannot_be_read_now_are_not_fixed(
    run_cli: RunCli, shop: Path
) -> None:
    commit(shop, {"frontend.yaml": frontend(probe=False)}, "no probe")
    commit(shop, {"frontend.yaml": "kind: Deployment\nmetadata: {name: a\n  bad: [\n"}, "broken")
    code, document = check_json(run_cli)
    assert code == 1
    assert ("RP001", "deploy/frontend.yaml", 3) in found(document)
    assert document["fixed"] == []  # unknown, not fixed: the file cannot be read


def test_an_object_moved_to_another_file_introduces_nothing(run_cli: RunCli, shop: Path) -> None:
    commit(shop, {"frontend.yaml": frontend(probe=False)}, "no probe")
    moved = {"frontend.yaml": None, "all.yaml": FRONTEND_SERVICE + "---\n" + frontend(probe=False)}
    commit(shop, {**moved, "service.yaml": None}, "one file")
    code, document = check_json(run_cli)
    assert (code, document["findings"], document["fixed"]) == (0, [], [])
    assert document["deletedDeployments"] == []


BROKEN = "# not YAML yet: the list is not closed\nname: web\nreplicas: 3\nports: [80,\n"


def test_a_renamed_file_introduces_nothing(run_cli: RunCli, shop: Path) -> None:
    commit(shop, {"frontend.yaml": frontend(probe=False), "broken.yaml": BROKEN}, "broken")
    git(shop, "mv", "deploy/frontend.yaml", "deploy/shop-frontend.yaml")
    git(shop, "mv", "deploy/broken.yaml", "deploy/still-broken.yaml")
    (shop / "deploy" / "still-broken.yaml").write_text("# renamed\n" + BROKEN)  # other lines
    git(shop, "commit", "-qam", "rename")
    code, document = check_json(run_cli)
    assert (code, document["findings"], document["fixed"]) == (0, [], [])
    # named by an absolute path: the base's names are relative, the head's are not
    result = run_cli("check", "--format", "json", "--base", "HEAD~1", str(shop / "deploy"))
    absolute = json.loads(result.stdout)
    assert (result.exit_code, absolute["findings"], absolute["fixed"]) == (0, [], [])
    unchanged = document["summary"]["baseline"]["unchanged"]
    assert absolute["summary"]["baseline"]["unchanged"] == unchanged == 2  # RP301, RP001


def test_all_reports_everything_and_marks_what_is_new(run_cli: RunCli, shop: Path) -> None:
    commit(shop, {"frontend.yaml": frontend(tier="web", probe=False)}, "relabel, no probe")
    commit(shop, {"frontend.yaml": frontend(tier="web", tag="1.1.0", probe=False)}, "image")
    code, everything = check_json(run_cli, "--all")
    states = {(f["rule"], f["file"]): f["baselineState"] for f in everything["findings"]}
    assert states[("RP401", "deploy/service.yaml")] == "unchanged"
    assert states[("RP301", "deploy/frontend.yaml")] == "unchanged"
    assert code == 1  # the RP401 error, there before and reported with --all
    code, new = check_json(run_cli)
    assert code == 0
    assert [f for f in everything["findings"] if f["baselineState"] == "new"] == new["findings"]
    assert everything["summary"]["baseline"]["notShown"] == 0
    assert everything["summary"]["baseline"]["unchanged"] == new["summary"]["baseline"]["notShown"]
    text = run_cli("check", "--base", "HEAD~1", "--all", "deploy").stdout
    assert "deploy/service.yaml:7:3: error RP401" in text
    assert "not shown" not in text


def test_the_same_change_gives_the_same_bytes(run_cli: RunCli, shop: Path) -> None:
    commit(shop, {"frontend.yaml": frontend(probe=False)}, "no probe")
    commit(shop, {"frontend.yaml": frontend(tier="web", tag="1.1.0")}, "relabel")
    for args in ([], ["--format", "json"], ["--all", "--format", "json"]):
        first, second = (run_cli("check", "--base", "HEAD~1", *args, "deploy") for _ in "ab")
        assert first.stdout == second.stdout
        assert first.exit_code == second.exit_code == 1


def test_without_base_the_text_says_nothing_of_a_comparison(run_cli: RunCli, shop: Path) -> None:
    result = run_cli("check", "deploy")
    assert "Compared with" not in result.stdout
    assert "baselineState" not in run_cli("check", "--format", "json", "deploy").stdout


def test_an_unchanged_repository_reports_nothing(run_cli: RunCli, shop: Path) -> None:
    (shop / "deploy" / "frontend.yaml").write_text(frontend(tier="web"))
    git(shop, "commit", "-qam", "relabel")
    result = run_cli("check", "--format", "json", "--base", "HEAD", "deploy")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert (document["findings"], document["plans"]) == ([], [])
    assert document["summary"]["baseline"]["notShown"] == 1  # RP401 (no plan: no RP313)


# compare(), on findings made up: it pairs by identity, each base finding at most once

RULES = ("RP301", "RP401")
FILES = ("a.yaml", "b.yaml")
NAMES = ("web", "api")


@st.composite
def findings(draw: st.DrawFn) -> Finding:
    name = draw(st.sampled_from((*NAMES, None)))
    return Finding(
        rule_id=draw(st.sampled_from(RULES)),
        severity=Severity.WARNING,
        message="no endpoints at line " + str(draw(st.integers(1, 3))),
        location=Location(draw(st.sampled_from(FILES)), draw(st.integers(1, 5)), 1),
        obj=None if name is None else ObjectRef("Deployment", "default", name),
        field=("spec",),
    )


@given(st.lists(findings(), max_size=8), st.lists(findings(), max_size=8), st.booleans())
def test_compare_splits_both_sides_without_losing_one(
    head: list[Finding], base: list[Finding], rename: bool
) -> None:
    renamed = {"a.yaml": "b.yaml"} if rename else {}
    result = compare(head, base, renamed)
    assert sorted([*result.introduced, *result.unchanged], key=Finding.sort_key) == sorted(
        head, key=Finding.sort_key
    )
    assert len(result.unchanged) + len(result.fixed) == len(base)
    fixed_ids = [identity(f, renamed.get(f.location.path)) for f in result.fixed]
    # a finding both new and fixed would be one that stayed: never by the same identity
    assert not {identity(f) for f in result.introduced} & set(fixed_ids)


def test_compare_counts_equal_identities() -> None:
    web = ObjectRef("Deployment", "default", "web")
    one, two = (
        Finding("RP301", Severity.WARNING, "m", Location("a.yaml", n, 1), web) for n in (1, 9)
    )
    result = compare([one, two], [one])
    assert (len(result.introduced), len(result.unchanged), result.fixed) == (1, 1, ())
    assert compare([], [one, two]).fixed == (one, two)
