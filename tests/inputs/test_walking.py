"""Walking a repository: files that are not manifests, excludes, empty files (issue 12).

`rolloutplan check .` (the GitHub Action's default) must pass on a repository whose
manifests sit beside pre-commit, Compose, kustomize and Helm files, and still check every
manifest in it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ci.test_check_git import GIT_ENV, SERVICE, deployment, git
from tests.conftest import ROOT, RunCli

NOT_MANIFESTS = {
    ".pre-commit-config.yaml": "repos:\n- repo: https://github.com/x/y\n  rev: v1\n",
    "docker-compose.yml": 'version: "3"\nservices:\n  web:\n    image: nginx\n',
    "compose.override.yaml": "services:\n  web:\n    ports: ['80:80']\n",
    "kustomization.yaml": "resources:\n- deploy/web.yaml\n",
    "chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",  # RP005 if read
    "chart/values.yaml": "replicaCount: 1\nimage:\n  kind: Deployment\n",
    "chart/values-prod.yml": "apiVersion: v9\n",  # RP005 if read
    "chart/templates/deployment.yaml": "kind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
    "skaffold.yaml": "apiVersion: skaffold/v4beta6\nkind: Config\n",
    "mkdocs.yml": "site_name: docs\n",
    "tsconfig.json": '{\n  // comments: not JSON\n  "compilerOptions": {}\n}\n',
}
WEB = deployment("web") + "---\n" + SERVICE
SUMMARY_CLEAN = "0 errors, 0 warnings, 0 info."


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository: one Deployment and its Service beside well-known non-manifest files;
    the working directory (as in CI and pre-commit)."""
    write(tmp_path, {**NOT_MANIFESTS, "deploy/web.yaml": WEB})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def summary(output: str) -> str:
    return output.splitlines()[-1]


@pytest.mark.parametrize("command", ["lint", "check", "plan", "services"])
def test_a_repository_walked_from_its_root_is_clean_and_its_manifests_are_checked(
    run_cli: RunCli, repository: Path, command: str
) -> None:
    result = run_cli(command, ".")
    assert result.exit_code == 0
    assert summary(result.stdout) == (
        "1 file, 2 objects checked (Deployment 1, Service 1); 11 paths excluded. " + SUMMARY_CLEAN
    )
    assert result.stderr == ""  # nothing named was excluded: -v lists the walked ones


def test_verbose_lists_every_excluded_path_with_the_pattern(
    run_cli: RunCli, repository: Path
) -> None:
    result = run_cli("lint", "-v", "--no-cache", ".")
    notes = [line for line in result.stderr.splitlines() if "not checked" in line]
    assert notes[:3] == [
        "rolloutplan: .pre-commit-config.yaml: not checked: excluded by "
        "'.pre-commit-config.yaml' (a default exclude; --no-default-excludes checks it)",
        "rolloutplan: chart/Chart.yaml: not checked: excluded by 'Chart.yaml' (a default "
        "exclude; --no-default-excludes checks it)",
        "rolloutplan: chart/templates/: not checked: a Helm chart's templates (lint the output "
        "of `helm template` instead) (a default exclude; --no-default-excludes checks it)",
    ]
    assert len(notes) == 11


def test_without_the_default_excludes_every_file_is_read_as_before(
    run_cli: RunCli, repository: Path
) -> None:
    result = run_cli("lint", "--no-default-excludes", "--select", "RP0", ".")
    assert result.exit_code == 1
    errors = {line.split(" ")[0]: line.split(" ")[2] for line in result.stdout.splitlines()[:-1]}
    assert errors == {
        "chart/Chart.yaml:1:1:": "RP005",
        "chart/templates/deployment.yaml:3:10:": "RP001",
        "chart/values-prod.yml:1:1:": "RP005",
        "tsconfig.json:3:20:": "RP001",
    }
    # the rest are not Kubernetes objects (skaffold's Config is a kind rolloutplan skips)
    assert "skipped (Config 1, not Kubernetes objects 6)" in summary(result.stdout)


def test_a_chart_templates_directory_is_read_when_no_chart_is_beside_it(
    run_cli: RunCli, tmp_path: Path
) -> None:
    write(tmp_path, {"templates/web.yaml": WEB})
    result = run_cli("lint", tmp_path)
    assert summary(result.stdout).startswith("1 file, 2 objects checked")


def test_named_files_are_excluded_too_and_each_is_mentioned(
    run_cli: RunCli, repository: Path
) -> None:
    """pre-commit passes every staged file by name: the excludes must apply to them."""
    names = ["chart/Chart.yaml", "chart/templates/deployment.yaml", "docker-compose.yml"]
    result = run_cli("lint", *names, "deploy/web.yaml")
    assert result.exit_code == 0
    assert summary(result.stdout).startswith("1 file, 2 objects checked (Deployment 1, Service 1)")
    assert "3 paths excluded" in summary(result.stdout)
    assert [line.split(": not checked: ")[0] for line in result.stderr.splitlines()] == [
        f"rolloutplan: {name}" for name in names
    ]


def test_naming_only_excluded_files_checks_nothing_and_passes(
    run_cli: RunCli, repository: Path
) -> None:
    result = run_cli("lint", "--format", "json", "chart/values.yaml", "mkdocs.yml")
    assert result.exit_code == 0
    counts = json.loads(result.stdout)["summary"]
    assert (counts["files"], counts["excluded"], counts["error"]) == (0, 2, 0)


@pytest.mark.parametrize(
    "pattern",
    [
        "legacy",  # a name: a directory at any depth
        "legacy/",  # a directory only
        "deploy/legacy",  # a path from the working directory (or the walked directory)
        "deploy/legacy/**",
        "**/legacy/*.yaml",
        "old-*.yaml",  # a file name at any depth
        "/deploy/legacy/old-web.yaml",
        "./deploy/leg?cy/old-[a-z]eb.yaml",
    ],
)
def test_exclude_patterns_on_the_command_line_and_in_the_config(
    run_cli: RunCli, repository: Path, pattern: str
) -> None:
    broken = deployment("old").replace("replicas: 3", "replica: 3")
    write(repository, {"deploy/legacy/old-web.yaml": broken})
    assert run_cli("lint", ".").exit_code == 1  # read without the exclude
    given = run_cli("lint", "--exclude", pattern, ".")
    assert given.exit_code == 0
    assert "12 paths excluded" in summary(given.stdout)
    (repository / ".rolloutplan.yaml").write_text(f"exclude: [{json.dumps(pattern)}]\n")
    configured = run_cli("lint", ".")
    assert configured.exit_code == 0
    named = run_cli("lint", "deploy/legacy/old-web.yaml")
    assert named.exit_code == 0  # excluded even when named, with a note
    assert "deploy/legacy/old-web.yaml: not checked: excluded by" in named.stderr


def test_patterns_match_relative_to_the_walked_directory(run_cli: RunCli, repository: Path) -> None:
    write(repository, {"deploy/legacy/old.yaml": "kind: Deployment\n"})
    assert run_cli("lint", "deploy").exit_code == 1
    for pattern in ("legacy/*.yaml", "deploy/legacy/"):
        result = run_cli("lint", "--exclude", pattern, "deploy")
        assert result.exit_code == 0
        # only the legacy file is left out: web.yaml is still read and checked
        assert summary(result.stdout) == (
            "1 file, 2 objects checked (Deployment 1, Service 1); 1 path excluded. " + SUMMARY_CLEAN
        )
    assert run_cli("lint", "--exclude", "other/legacy/", "deploy").exit_code == 1
    assert run_cli("lint", "--exclude", "*.yml", "deploy").exit_code == 1  # not *.yaml


def test_the_config_can_turn_the_defaults_off(run_cli: RunCli, repository: Path) -> None:
    (repository / ".rolloutplan.yaml").write_text("default-excludes: false\n")
    result = run_cli("lint", "--select", "RP0", ".")
    assert result.exit_code == 1
    assert "chart/Chart.yaml:1:1: error RP005" in result.stdout


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("exclude: legacy/", "'exclude' must be a list of glob patterns"),
        ("exclude: [legacy/, 3]", "'exclude' must be a list of glob patterns"),
        ('exclude: [""]', "'exclude': '' is not a glob pattern"),
        ("exclude: [/]", "'exclude': '/' is not a glob pattern"),
        ("default-excludes: no-thanks", "'default-excludes' must be true or false"),
    ],
)
def test_invalid_exclude_settings_are_usage_errors(
    run_cli: RunCli, repository: Path, setting: str, message: str
) -> None:
    (repository / ".rolloutplan.yaml").write_text(setting + "\n")
    result = run_cli("lint", ".")
    assert result.exit_code == 2
    assert f".rolloutplan.yaml: {message}" in result.stderr


def test_an_empty_exclude_on_the_command_line_is_a_usage_error(
    run_cli: RunCli, repository: Path
) -> None:
    result = run_cli("lint", "--exclude", "", ".")
    assert result.exit_code == 2
    assert "'' is not a glob pattern" in result.stderr


@pytest.mark.parametrize(
    "text",
    ["", "# the Deployment moved to web.yaml\n", "---\n---\n# nothing\n", "--- null\n--- ~\n"],
    ids=["empty", "comments", "separators", "null-documents"],
)
def test_a_file_without_documents_is_skipped(run_cli: RunCli, tmp_path: Path, text: str) -> None:
    write(tmp_path, {"empty.yaml": text, "web.yaml": WEB})
    result = run_cli("lint", tmp_path / "empty.yaml", tmp_path / "web.yaml")
    assert result.exit_code == 0
    assert summary(result.stdout).startswith("2 files, 2 objects checked")
    strict = run_cli("lint", "--strict-kinds", tmp_path / "empty.yaml")
    assert strict.exit_code == 1  # a repository of manifests only: RP011 says so
    assert f"{tmp_path / 'empty.yaml'}:1:1: error RP011 file holds no Kubernetes objects" in (
        strict.stdout
    )


def test_documents_that_are_not_objects_are_skipped_and_counted(
    run_cli: RunCli, tmp_path: Path
) -> None:
    others = "name: build\nsteps: [make]\n---\n- hosts: all\n  tasks: []\n---\n{}\n"
    write(tmp_path, {"mixed.yaml": WEB + "---\n" + others})
    result = run_cli("lint", tmp_path)
    assert result.exit_code == 0
    assert summary(result.stdout) == (
        "1 file, 2 objects checked (Deployment 1, Service 1); 3 skipped (not Kubernetes "
        "objects 3). " + SUMMARY_CLEAN
    )
    counts = json.loads(run_cli("lint", "--format", "json", tmp_path).stdout)["summary"]
    assert (counts["documents"], counts["skipped"], counts["notObjects"]) == (5, {}, 3)
    strict = run_cli("lint", "--strict-kinds", "--select", "RP0", tmp_path)
    assert strict.exit_code == 1
    assert [line.split(" ")[2] for line in strict.stdout.splitlines()[:-1]] == [
        "RP005", "RP006", "RP004", "RP005", "RP006",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("kind: Deployment\nmetadata:\n  name: web\n", "RP006"),
        ("apiVersion: apps/v1\nmetadata:\n  name: web\n", "RP005"),
        ("apiVersion: v1\nkind: List\nitems:\n- metadata: {name: web}\n", "RP006"),
        ("- apiVersion: apps/v1\n  kind: Deployment\n", "RP004"),  # manifests as a list
        ("kubectl apply -f web.yaml\n", "RP004"),
    ],
    ids=["only-kind", "only-apiversion", "list-item", "list-of-manifests", "scalar"],
)
def test_a_document_that_tries_to_be_an_object_is_still_an_error(
    run_cli: RunCli, tmp_path: Path, text: str, rule: str
) -> None:
    write(tmp_path, {"web.yaml": text})
    result = run_cli("lint", "--select", "RP0", tmp_path)
    assert result.exit_code == 1
    assert f" error {rule} " in result.stdout


def test_a_file_excluded_now_is_not_a_deleted_deployment_with_base(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"deploy/web.yaml": WEB, "deploy/legacy/old.yaml": deployment("old")})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "deploy/legacy/old.yaml").write_text(deployment("old", replicas=2))
    result = run_cli("check", "--base", "HEAD", "--format", "json", "--exclude", "legacy/",
                     "deploy")  # fmt: skip
    assert result.exit_code == 0
    assert json.loads(result.stdout)["deletedDeployments"] == []


def test_the_actions_default_paths_pass_on_a_repository_with_other_yaml(tmp_path: Path) -> None:
    """action.yml's `paths: .` walks the whole checkout."""
    write(tmp_path, {**NOT_MANIFESTS, "deploy/web.yaml": WEB})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")
    write(tmp_path, {"docker-compose.yml": "services: {}\n", "deploy/web.yaml": WEB + "\n"})
    env = {
        **os.environ,
        **GIT_ENV,
        "ROLLOUTPLAN_SKIP_INSTALL": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "INPUT_BASE": "HEAD",
    }
    done = subprocess.run(["bash", str(ROOT / "action" / "check.sh")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "::error" not in done.stdout


@pytest.mark.parametrize("order", [("Chart.yaml", "."), (".", "Chart.yaml")])
def test_a_file_named_and_also_walked_is_still_mentioned(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, order: tuple[str, str]
) -> None:
    write(tmp_path, {"Chart.yaml": NOT_MANIFESTS["chart/Chart.yaml"], "web.yaml": WEB})
    monkeypatch.chdir(tmp_path)
    result = run_cli("lint", *order)
    assert result.exit_code == 0
    assert result.stderr.startswith("rolloutplan: Chart.yaml: not checked: excluded by")
    assert "; 1 path excluded." in summary(result.stdout)
