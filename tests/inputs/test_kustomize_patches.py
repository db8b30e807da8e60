"""Walking a kustomize layout: the files a kustomization lists as patches are not objects
kubectl applies, so they are left out like the default excludes (issue 12).

Only ``kustomize build`` output is applied; a partial Deployment in a patch must not be
RP101.  The kustomizations are untrusted input: what they list never reaches outside them.
"""

from __future__ import annotations

import json
import os
import posixpath
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ci.test_check_git import deployment, git
from tests.conftest import RunCli
from tests.inputs.test_walking import summary, write

PATCH = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 5}\n"
OVERLAY = "overlays/prod/kustomization.yaml"
PATCH_FILE = "overlays/prod/replicas-patch.yaml"
LAYOUT = {
    "base/deployment.yaml": deployment("web"),
    "base/kustomization.yaml": "resources:\n- deployment.yaml\n",
    OVERLAY: "resources:\n- ../../base\npatches:\n- path: replicas-patch.yaml\n",
    PATCH_FILE: PATCH,
}
CHECKED_BASE = "1 file, 1 object checked (Deployment 1); 3 paths excluded."
NOTE = (
    f"rolloutplan: {PATCH_FILE}: not checked: a kustomize patch listed in {OVERLAY} "
    "(a default exclude; --no-default-excludes checks it)"
)


@pytest.fixture
def layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A base and a prod overlay with a replicas patch; the working directory."""
    write(tmp_path, LAYOUT)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def patch_rules(output: str) -> list[str]:
    return [line.split(" ")[2] for line in output.splitlines() if line.startswith(PATCH_FILE)]


def test_an_overlay_patch_is_not_checked_and_the_base_is(run_cli: RunCli, layout: Path) -> None:
    result = run_cli("lint", ".")
    assert result.exit_code == 0
    assert summary(result.stdout).startswith(CHECKED_BASE)
    assert result.stderr == ""  # walked, not named: -v lists it
    verbose = run_cli("lint", "-v", "--no-cache", ".")
    assert NOTE in verbose.stderr.splitlines()
    write(layout, {"base/deployment.yaml": deployment("web").replace("replicas: 3", "replica: 3")})
    broken = run_cli("lint", ".")
    assert broken.exit_code == 1
    assert "base/deployment.yaml:" in broken.stdout


def test_walking_the_overlay_alone_leaves_the_patch_out(run_cli: RunCli, layout: Path) -> None:
    result = run_cli("lint", "overlays/prod")
    assert result.exit_code == 0
    assert summary(result.stdout).startswith("0 files, 0 objects checked; 2 paths excluded.")


@pytest.mark.parametrize(
    ("kustomization", "listed", "what"),
    [
        ("patchesStrategicMerge:\n- {p}\n", "p.yaml", "a kustomize patch"),
        ("patches:\n- path: {p}\n  target: {{kind: Deployment}}\n", "p.yaml", "a kustomize patch"),
        ("patches:\n- {p}\n", "p.yaml", "a kustomize patch"),
        ("patchesJson6902:\n- target: {{kind: Deployment, name: web}}\n  path: {p}\n", "p.json",
         "a kustomize patch"),
        ("replacements:\n- path: {p}\n", "p.yaml", "kustomize replacements"),
        ("configurations:\n- {p}\n", "p.yaml", "a kustomize transformer configuration"),
        ("configMapGenerator:\n- name: c\n  files:\n  - conf={p}\n", "p.yaml",
         "a data file of a kustomize generator"),
        ("secretGenerator:\n- name: s\n  envs: [{p}]\n", "p.yaml",
         "a data file of a kustomize generator"),
        ("patches:\n- path: ./patches/../patches/{p}\n", "patches/p.yaml", "a kustomize patch"),
    ],
    ids=["strategic-merge", "patches-path", "patches-string", "json6902", "replacements",
         "configurations", "configmap-files", "secret-envs", "nested-dir"],
)  # fmt: skip
@pytest.mark.parametrize("file_name", ["kustomization.yaml", "kustomization.yml", "Kustomization"])
def test_each_form_of_listing_leaves_the_file_out(
    run_cli: RunCli, layout: Path, kustomization: str, listed: str, what: str, file_name: str
) -> None:
    name = Path(listed).name
    write(layout, {f"app/{file_name}": kustomization.format(p=name), f"app/{listed}": PATCH})
    assert run_cli("lint", "--no-default-excludes", "--select", "RP1", "app").exit_code == 1
    result = run_cli("lint", "-v", "--no-cache", ".")
    assert result.exit_code == 0
    assert summary(result.stdout).startswith("1 file, 1 object checked (Deployment 1)")
    assert f"app/{listed}: not checked: {what} listed in app/{file_name} (a default" in (
        result.stderr
    )


def test_a_patch_named_on_the_command_line_is_left_out_with_a_note(
    run_cli: RunCli, layout: Path
) -> None:
    """pre-commit names each staged file: the patch, and the base beside it."""
    result = run_cli("lint", PATCH_FILE, "base/deployment.yaml")
    assert result.exit_code == 0
    assert summary(result.stdout).startswith(
        "1 file, 1 object checked (Deployment 1); 1 path excluded."
    )
    assert result.stderr.splitlines() == [NOTE]
    absolute = run_cli("lint", layout / PATCH_FILE)
    assert absolute.exit_code == 0
    assert f"a kustomize patch listed in {layout / OVERLAY} (a default" in absolute.stderr


def test_a_kustomization_above_the_named_file_counts_up_to_the_working_directory(
    run_cli: RunCli, layout: Path
) -> None:
    write(layout, {"kustomization.yaml": "patches:\n- path: overlays/prod/replicas-patch.yaml\n"})
    (layout / OVERLAY).write_text("resources:\n- ../../base\n")
    named = run_cli("lint", PATCH_FILE)
    assert named.exit_code == 0
    assert "a kustomize patch listed in kustomization.yaml (a default" in named.stderr
    assert run_cli("lint", ".").exit_code == 0
    # walked from below it, the kustomization is outside the tree: the file is checked
    assert patch_rules(run_cli("lint", "overlays").stdout) == ["RP101", "RP101"]


def test_a_file_listed_as_a_resource_stays_checked(run_cli: RunCli, layout: Path) -> None:
    (layout / OVERLAY).write_text(
        "resources:\n- replicas-patch.yaml\npatchesStrategicMerge:\n- replicas-patch.yaml\n"
    )
    assert patch_rules(run_cli("lint", ".").stdout) == ["RP101", "RP101"]


@pytest.mark.parametrize(
    "entry",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "../prod/replicas-patch.yaml",  # kustomize refuses '..' for a patch: so do we
        "{absolute}",
        "https://example.com/overlays/prod/replicas-patch.yaml",
        "file:///etc/passwd",
        "C:/replicas-patch.yaml",
        "replicas-patch.yaml\nspec: {{}}",  # an inline patch, not a path
        ".",
        "",
    ],
)
def test_paths_leaving_the_kustomization_list_nothing(
    run_cli: RunCli, layout: Path, entry: str
) -> None:
    listed = entry.format(absolute=layout / PATCH_FILE)
    for form in ("patchesStrategicMerge: [{}]", "patches: [{{path: {}}}]"):
        (layout / OVERLAY).write_text(form.format(json.dumps(listed)) + "\n")
        result = run_cli("lint", "-v", "--no-cache", ".")
        assert result.exit_code == 1
        assert patch_rules(result.stdout) == ["RP101", "RP101"]
        assert "passwd" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "content",
    [
        b"patches: [path: replicas-patch.yaml\n",  # unclosed flow sequence
        b"- path: replicas-patch.yaml\n",  # a list, not a mapping
        b"patches: *missing\n",
        b"\xff\xfe binary\x00",
        b"patches:\n- path: replicas-patch.yaml\n---\npatches: []\n",  # two documents
        b"patches: 7\npatchesStrategicMerge: {a: b}\nconfigurations: [[1], {x: 2}, 3]\n",
        b"patches:\n- path: replicas-patch.yaml\n" + b"# padding\n" * 110_000,  # over 1 MiB
    ],
    ids=["syntax", "list", "alias", "binary", "two-documents", "wrong-types", "too-large"],
)
def test_a_kustomization_that_cannot_be_read_is_ignored(
    run_cli: RunCli, layout: Path, content: bytes
) -> None:
    (layout / OVERLAY).write_bytes(content)
    result = run_cli("lint", ".")
    assert result.exit_code == 1  # the patch is checked, the run goes on
    assert patch_rules(result.stdout) == ["RP101", "RP101"]
    assert summary(result.stdout).startswith("2 files, 2 objects checked")
    named = run_cli("lint", PATCH_FILE)
    assert named.exit_code == 1
    assert named.stderr == ""


def test_a_kustomization_that_is_not_a_file_is_ignored(run_cli: RunCli, layout: Path) -> None:
    (layout / OVERLAY).unlink()
    (layout / OVERLAY).mkdir()
    assert patch_rules(run_cli("lint", ".").stdout) == ["RP101", "RP101"]
    (layout / OVERLAY).rmdir()
    os.mkfifo(layout / OVERLAY)  # would block a plain open
    assert patch_rules(run_cli("lint", PATCH_FILE).stdout) == ["RP101", "RP101"]
    assert patch_rules(run_cli("lint", ".").stdout) == ["RP101", "RP101"]


def test_a_kustomization_linked_outside_the_tree_is_not_read(
    run_cli: RunCli, layout: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "kustomization.yaml"
    outside.write_text("patches:\n- path: replicas-patch.yaml\n")
    (layout / OVERLAY).unlink()
    (layout / OVERLAY).symlink_to(outside)
    assert patch_rules(run_cli("lint", ".").stdout) == ["RP101", "RP101"]
    assert patch_rules(run_cli("lint", PATCH_FILE).stdout) == ["RP101", "RP101"]
    (layout / OVERLAY).unlink()
    (layout / OVERLAY).symlink_to("../../base/kustomization.yaml")  # inside: read
    (layout / "base/kustomization.yaml").write_text("patches: [{path: replicas-patch.yaml}]\n")
    assert run_cli("lint", ".").exit_code == 0


def test_without_the_default_excludes_the_patch_is_checked(run_cli: RunCli, layout: Path) -> None:
    for options in (["--no-default-excludes"], []):
        if not options:
            (layout / ".rolloutplan.yaml").write_text("default-excludes: false\n")
        result = run_cli("lint", *options, "--select", "RP1", ".")
        assert result.exit_code == 1
        assert patch_rules(result.stdout) == ["RP101", "RP101"]
        named = run_cli("lint", *options, PATCH_FILE)
        assert patch_rules(named.stdout) == ["RP101", "RP101"]


def test_output_is_the_same_run_to_run(run_cli: RunCli, layout: Path) -> None:
    staging = "patchesStrategicMerge: [r.yaml]\n"
    write(layout, {"overlays/staging/kustomization.yml": staging, "overlays/staging/r.yaml": PATCH})
    runs = [run_cli("lint", "-v", "--no-cache", "--format", "json", ".") for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout
    assert runs[0].stderr == runs[1].stderr
    assert json.loads(runs[0].stdout)["summary"]["excluded"] == 5


def test_check_with_base_does_not_report_a_changed_patch(run_cli: RunCli, layout: Path) -> None:
    git(layout, "init", "-q")
    git(layout, "add", ".")
    git(layout, "commit", "-qm", "base")
    (layout / PATCH_FILE).write_text(PATCH.replace("replicas: 5", "replicas: 7"))
    (layout / "base/deployment.yaml").write_text(deployment("web", replicas=4))
    result = run_cli("check", "--base", "HEAD", "--format", "json", ".")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["deletedDeployments"] == []
    assert PATCH_FILE not in result.stdout
    text = run_cli("check", "--base", "HEAD", ".")
    assert text.exit_code == 0
    assert PATCH_FILE not in text.stdout + text.stderr
    (layout / PATCH_FILE).unlink()  # a patch deleted: no Deployment deleted either
    deleted = run_cli("check", "--base", "HEAD", "--format", "json", ".")
    assert json.loads(deleted.stdout)["deletedDeployments"] == []


_PARTS = st.sampled_from(["..", ".", "", "prod", "overlays", "replicas-patch.yaml"])


@given(st.lists(_PARTS, min_size=1, max_size=6))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # the file is rewritten
def test_a_listed_path_leaves_out_only_the_file_it_names_inside_the_kustomization(
    run_cli: RunCli, layout: Path, parts: list[str]
) -> None:
    """A relative path names the patch when it normalizes to it; one that leaves the
    directory on the way ('../prod/...') keeps a leading '..' and names nothing."""
    listed = "/".join(parts)
    (layout / OVERLAY).write_text(f"patchesStrategicMerge: [{json.dumps(listed)}]\n")
    excluded = not listed.startswith("/") and posixpath.normpath(listed) == "replicas-patch.yaml"
    result = run_cli("lint", PATCH_FILE)
    assert (result.exit_code == 0) == excluded
    assert (result.stderr == NOTE + "\n") == excluded
