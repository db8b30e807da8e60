"""`check --base` loses no file and runs nothing the repository's config names: any file
name, dangling links, shallow clones, option-like revisions, a hostile .git/config."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.ci.test_check_git import deployment, git
from tests.conftest import RunCli


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    (root / "deploy").mkdir(parents=True)
    git(root, "init", "-q")
    (root / "deploy" / "web.yaml").write_text(deployment("web"))
    (root / "deploy" / "café.yaml").write_text(deployment("cafe"))
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    monkeypatch.chdir(root)
    return root


def check(run_cli: RunCli, *paths: str) -> tuple[int, dict[str, object]]:
    result = run_cli("check", "--format", "json", "--base", "HEAD", *(paths or ("deploy",)))
    return result.exit_code, json.loads(result.stdout)


def changes(document: dict[str, object]) -> dict[str, str]:
    return {p["deployment"]["name"]: p["change"] for p in document["plans"]}  # type: ignore[attr-defined]


def test_a_changed_file_with_a_non_ascii_name_is_compared(run_cli: RunCli, repo: Path) -> None:
    (repo / "deploy" / "café.yaml").write_text(deployment("cafe", tag="1.1.0"))
    (repo / "deploy" / "naïve\tname.yaml").write_text(deployment("tab"))  # untracked
    code, document = check(run_cli)
    assert code == 0
    assert changes(document) == {"cafe": "rollout", "tab": "new"}


def test_a_renamed_file_with_a_non_ascii_name_keeps_its_base(run_cli: RunCli, repo: Path) -> None:
    git(repo, "mv", "deploy/café.yaml", "deploy/thé.yaml")
    (repo / "deploy" / "thé.yaml").write_text(deployment("cafe", replicas=5))
    _, document = check(run_cli)
    assert changes(document) == {"cafe": "scale"}


def test_a_tracked_dangling_link_is_a_finding(run_cli: RunCli, repo: Path) -> None:
    (repo / "deploy" / "gone.yaml").symlink_to("missing.yaml")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "dangling")
    (repo / "deploy" / "web.yaml").write_text(deployment("web", tag="1.1.0"))
    code, document = check(run_cli)
    assert code == 2
    assert [(f["file"], f["rule"]) for f in document["findings"] if f["rule"] == "RP012"] == [
        ("deploy/gone.yaml", "RP012")
    ]
    assert changes(document) == {"web": "rollout"}


def test_a_link_at_the_base_is_not_read_as_a_manifest(run_cli: RunCli, repo: Path) -> None:
    (repo / "deploy" / "link.yaml").symlink_to("web.yaml")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "link")
    (repo / "deploy" / "link.yaml").unlink()
    (repo / "deploy" / "link.yaml").write_text(deployment("linked"))
    result = run_cli("check", "--base", "HEAD", "deploy")
    assert result.exit_code == 0
    assert "deploy/link.yaml was a symbolic link at HEAD; not compared" in result.stderr


def test_a_shallow_clone_says_how_to_fetch_the_base(
    run_cli: RunCli, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "deploy" / "web.yaml").write_text(deployment("web", tag="1.1.0"))
    git(repo, "commit", "-qam", "second")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", repo.as_uri(), str(clone)], check=True)
    monkeypatch.chdir(clone)
    result = run_cli("check", "--base", "HEAD~1", "deploy")
    assert result.exit_code == 2
    assert "unknown revision 'HEAD~1'; this is a shallow clone" in result.stderr
    assert "fetch-depth: 0" in result.stderr


def test_a_revision_that_looks_like_an_option_is_refused(
    run_cli: RunCli, repo: Path, tmp_path: Path
) -> None:
    written = tmp_path / "written"
    result = run_cli("check", f"--base=--output={written}", "deploy")
    assert result.exit_code == 2
    assert not written.exists()


HOSTILE_CONFIG = {
    "core.fsmonitor": "touch {marker}-fsmonitor; false",
    "core.pager": "touch {marker}-pager",
    "diff.external": "touch {marker}-external",
    "diff.evil.textconv": "touch {marker}-textconv; cat",
    "diff.evil.command": "touch {marker}-command",
    "filter.evil.clean": "touch {marker}-clean; cat",
    "filter.evil.smudge": "touch {marker}-smudge; cat",
    "filter.evil.required": "true",
}


def test_a_hostile_git_config_runs_nothing(run_cli: RunCli, repo: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    (repo / ".gitattributes").write_text("*.yaml filter=evil diff=evil\n")
    git(repo, "add", ".gitattributes")
    git(repo, "commit", "-qm", "attributes")
    for key, value in HOSTILE_CONFIG.items():
        git(repo, "config", key, value.format(marker=marker))
    (repo / "deploy" / "web.yaml").write_text(deployment("web", tag="1.1.0"))
    (repo / "deploy" / "api.yaml").write_text(deployment("api"))
    code, document = check(run_cli)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("ran")) == []
    assert code == 0
    assert changes(document) == {"web": "rollout", "api": "new"}
    # the same repository makes plain git run them: the test would see it
    subprocess.run(["git", "diff", "HEAD"], cwd=repo, capture_output=True, check=False)
    assert any(p.name.startswith("ran") for p in tmp_path.iterdir())
