"""`check --base` errors that say what to do (shallow and partial clones, paths in several
repositories), and paths outside the working directory resolved against their repository."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.ci.test_check_git import deployment, git
from tests.conftest import RunCli


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """A repository on branch main with three commits, each changing web's image."""
    root = tmp_path / "origin"
    (root / "deploy").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "uploadpack.allowFilter", "true")  # for the partial clones
    for tag in ("1.0.0", "1.1.0", "1.2.0"):
        (root / "deploy" / "web.yaml").write_text(deployment("web", tag=tag))
        git(root, "add", ".")
        git(root, "commit", "-qm", tag)
    return root


def clone(source: Path, target: Path, *options: str) -> Path:
    subprocess.run(["git", "clone", "-q", *options, source.as_uri(), str(target)], check=True)
    return target


def first_commit(repo: Path) -> str:
    done = subprocess.run(["git", "rev-list", "--max-parents=0", "HEAD"], cwd=repo,
                          capture_output=True, text=True, check=True)  # fmt: skip
    return done.stdout.strip()


@pytest.mark.parametrize("revision", ["HEAD~1", "first", "origin/main~2"])
def test_a_shallow_clone_names_the_fix_for_any_revision(
    run_cli: RunCli, history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    revision: str,
) -> None:  # fmt: skip
    revision = first_commit(history) if revision == "first" else revision
    monkeypatch.chdir(clone(history, tmp_path / "clone", "--depth", "1"))
    result = run_cli("check", "--base", revision, "deploy")
    assert result.exit_code == 2
    assert f"unknown revision {revision!r}; this is a shallow clone" in result.stderr
    assert "fetch-depth: 0" in result.stderr
    assert "git fetch --deepen=N" in result.stderr
    assert "git fetch --unshallow" in result.stderr


def test_a_revision_a_shallow_clone_holds_is_compared(
    run_cli: RunCli, history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(clone(history, tmp_path / "clone", "--depth", "2"))
    result = run_cli("check", "--format", "json", "--base", "HEAD~1", "deploy")
    assert result.exit_code == 0
    assert [p["change"] for p in json.loads(result.stdout)["plans"]] == ["rollout"]


@pytest.mark.parametrize(
    ("options", "hint"),
    [
        (("--filter=blob:none",), "this partial clone (--filter) lacks objects of 'HEAD~1'"),
        (("--filter=tree:0",), "this partial clone (--filter) lacks objects of 'HEAD~1'"),
        (("--depth", "2", "--filter=blob:none"), "this shallow clone lacks objects of 'HEAD~1'"),
    ],
)
def test_a_clone_lacking_the_bases_objects_names_the_fix(
    run_cli: RunCli, history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    options: tuple[str, ...], hint: str,
) -> None:  # fmt: skip
    """The revision resolves, but the files' objects are missing and never fetched."""
    monkeypatch.chdir(clone(history, tmp_path / "clone", *options))
    result = run_cli("check", "--base", "HEAD~1", "deploy")
    assert result.exit_code == 2
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert hint in line
    assert "fetch-depth: 0" in line
    assert "warning:" not in line and "\\n" not in line  # git's own lines, joined


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "deploy").mkdir(parents=True)
    git(root, "init", "-q")
    (root / "deploy" / "web.yaml").write_text(deployment("web"))
    (root / "deploy" / "worker.yaml").write_text(deployment("worker"))
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    (root / "deploy" / "web.yaml").write_text(deployment("web", tag="1.1.0"))
    (root / "deploy" / "worker.yaml").unlink()
    return root


def outcome(result: Any) -> tuple[int, dict[str, str], list[tuple[str, str]]]:
    document = json.loads(result.stdout)
    plans = {p["deployment"]["name"]: p["change"] for p in document["plans"]}
    deleted = [(d["name"], d["file"]) for d in document.get("deletedDeployments", [])]
    return result.exit_code, plans, deleted


def test_an_absolute_path_is_compared_in_its_own_repository(
    run_cli: RunCli, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")  # no repository here
    deploy = (repo / "deploy").as_posix()
    result = run_cli("check", "--format", "json", "--base", "HEAD", deploy)
    assert outcome(result) == (0, {"web": "rollout"}, [("worker", f"{deploy}/worker.yaml")])
    text = run_cli("check", "--base", "HEAD", deploy).stdout
    assert f"Deployment default/worker ({deploy}/worker.yaml): deleted" in text


def test_a_relative_path_out_of_the_working_directory_keeps_its_form(
    run_cli: RunCli, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    result = run_cli("check", "--format", "json", "--base", "HEAD", "../repo/deploy")
    assert outcome(result) == (0, {"web": "rollout"}, [("worker", "../repo/deploy/worker.yaml")])


def test_a_file_named_from_inside_another_repository_is_found_in_its_own(
    run_cli: RunCli, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")  # a repository with no commit: its HEAD is not asked for
    monkeypatch.chdir(other)
    result = run_cli("check", "--format", "json", "--base", "HEAD", repo / "deploy" / "web.yaml")
    assert outcome(result) == (0, {"web": "rollout"}, [])


def test_paths_in_two_repositories_are_a_usage_error_naming_them(
    run_cli: RunCli, repo: Path, history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    result = run_cli("check", "--base", "HEAD", "deploy", history / "deploy")
    assert result.exit_code == 2
    assert "the paths are in different git repositories" in result.stderr
    assert f"deploy in {repo.resolve().as_posix()}" in result.stderr
    assert f"{(history / 'deploy').as_posix()} in {history.resolve().as_posix()}" in result.stderr


def test_a_path_in_no_repository_is_named(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "web.yaml").write_text(deployment("web"))
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", "--base", "HEAD", "plain/web.yaml")
    assert result.exit_code == 2
    assert "--base HEAD: plain/web.yaml is not in a git repository" in result.stderr
