"""Apply units, reviewed: each copy's immutable fields are compared with its own previous
version, `units:` globs from an untrusted config cannot make matching explode and match as
excludes do, a copy named by an absolute path is still told apart from one named
relatively, and many objects or copies cost steps in proportion to them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rolloutplan.model.finding import ObjectRef
from rolloutplan.units import PreviousCopies
from tests.conftest import RunCli
from tests.units.layouts import deployment, findings, service, write

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
}  # fmt: skip


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def relabelled_copies(root: Path, prefix: str = "") -> None:
    """Staging and prod copies of one Deployment whose selectors differ (as they may)."""
    write(root, {
        f"{prefix}deploy/staging/web.yaml": deployment(replicas=2, app="web"),
        f"{prefix}deploy/prod/web.yaml": deployment(replicas=5, app="web-v2"),
    })  # fmt: skip


def test_previous_immutable_fields_are_compared_copy_by_copy(run_cli: RunCli, here: Path) -> None:
    relabelled_copies(here)
    relabelled_copies(here, "old/")
    result = run_cli("lint", "--previous", "old", "deploy")
    # before: prod's copy was compared with staging's previous one, an RP205 error
    assert findings(result.stdout) == []
    assert result.exit_code == 0
    write(here, {"old/deploy/prod/web.yaml": deployment(replicas=5, app="web")})
    result = run_cli("lint", "--previous", "old", "deploy")
    assert [(path, rule) for path, rule, _ in findings(result.stdout)] == [
        ("deploy/prod/web.yaml", "RP205")
    ]  # a real selector change of one copy is still an error, on that copy


def test_check_base_compares_each_changed_copy_with_its_own_base(
    run_cli: RunCli, here: Path
) -> None:
    relabelled_copies(here)
    env = {**os.environ, **GIT_ENV}
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "base"]):
        subprocess.run(["git", *args], cwd=here, check=True, capture_output=True, env=env)
    write(here, {"deploy/prod/web.yaml": deployment(replicas=6, app="web-v2")})
    result = run_cli("check", "--format", "json", "--base", "HEAD", "deploy")
    document = json.loads(result.stdout)
    assert document["findings"] == []
    assert [(p["file"], p["change"]) for p in document["plans"]] == [
        ("deploy/prod/web.yaml", "scale")
    ]


@pytest.mark.parametrize(
    "glob",
    ["**a" * 12 + "**b", "*a" * 30 + "*b", "/".join(["*a*a*a*a*a*a*b"] * 40)],
)
def test_a_hostile_units_glob_is_matched_without_backtracking(
    run_cli: RunCli, here: Path, glob: str
) -> None:
    """A pull request's config names the globs and the file names: matching must stay
    linear (before, the first glob took minutes on one 60-character name)."""
    name = "a" * 60 + ".yaml"
    write(here, {
        ".rolloutplan.yaml": f"units: [{json.dumps(glob)}]\n",
        f"deploy/{name}": deployment(),
        "deploy/svc.yaml": service(),
    })  # fmt: skip
    result = run_cli("lint", "deploy")
    assert result.exit_code == 0
    assert findings(result.stdout) == []


def test_units_globs_match_as_excludes_do(run_cli: RunCli, here: Path) -> None:
    """One glob dialect in the config: a directory with a trailing slash takes everything
    below it, and a path named with ./ or absolutely is matched from the working directory."""
    write(here, {
        "deploy/blue/web.yaml": deployment(replicas=2),
        "deploy/green/web.yaml": deployment(replicas=4),
        "deploy/svc.yaml": service(),
        ".rolloutplan.yaml": "units:\n- [deploy/blue/, deploy/svc.yaml]\n"
        "- [deploy/green, deploy/svc.yaml]\n",
    })  # fmt: skip
    for args in (["deploy"], ["./deploy"], [str(here / "deploy")]):
        result = run_cli("plan", "--format", "json", *args)
        plans = json.loads(result.stdout)["plans"]
        assert [(Path(p["file"]).parent.name, len(p["services"])) for p in plans] == [
            ("blue", 1),
            ("green", 1),
        ], args


def test_a_copy_named_by_an_absolute_path_is_its_own_unit(run_cli: RunCli, here: Path) -> None:
    """An absolute path's first part is empty: it must not be taken for the files directly
    in the working directory (before, both copies were one unit and mixed, with no RP407)."""
    write(here, {
        "web.yaml": deployment(replicas=2),
        "svc.yaml": service(),
        "other/prod/web.yaml": deployment(replicas=5),
    })  # fmt: skip
    prod = str(here / "other" / "prod" / "web.yaml")
    result = run_cli("plan", "--format", "json", "web.yaml", "svc.yaml", prod)
    plans = json.loads(result.stdout)["plans"]
    assert [(p["file"], [s["file"] for s in p["services"]]) for p in plans] == [
        (prod, []),
        ("web.yaml", ["svc.yaml"]),
    ]


def many_apps(count: int, copies: int) -> str:
    """One file with ``count`` Deployments and their Services (with a port-name typo, so
    that every Service has a finding), ``copies`` times over."""
    apps = [
        deployment(name=f"w{i}", app=f"w{i}") + "---\n" + service(f"w{i}", f"w{i}", "htpp")
        for i in range(count)
    ]
    return "---\n".join(apps * copies)


@pytest.mark.parametrize(
    ("copies", "args"),
    [
        (1, ["plan", "--format", "json"]),
        (1, ["plan", "--format", "markdown"]),
        (1, ["services"]),
        (2, ["lint"]),  # every object defined twice in one file: RP407 on each
    ],
)
def test_reporting_many_objects_of_one_file_stays_near_linear(
    run_cli: RunCli, here: Path, monkeypatch: pytest.MonkeyPatch, copies: int, args: list[str]
) -> None:
    """Object references compared while resolving, planning and reporting 200 apps of one
    file (an all-in-one manifest, a `kubectl get -o yaml` dump): before, each plan, Service
    row and duplicate looked through all the others (over 40,000 comparisons each)."""
    count = 200
    write(here, {"app.yaml": many_apps(count, copies)})
    compared = [0]
    equal = ObjectRef.__eq__

    def counting(self: ObjectRef, other: object) -> bool:
        compared[0] += 1
        return equal(self, other)

    monkeypatch.setattr(ObjectRef, "__eq__", counting)
    result = run_cli(*args, "app.yaml")
    assert result.exit_code == 1
    assert compared[0] < 60 * count
    if copies == 2:
        assert result.stdout.count(" RP407 ") == 2 * count


def test_many_copies_are_each_compared_with_their_own_previous_version(
    run_cli: RunCli, here: Path
) -> None:
    """300 environments, each with its own selector: any copy compared with another's
    previous version would be an RP205 error (the matching is indexed by path endings)."""
    files = {}
    for number in range(300):
        files[f"deploy/env{number:03}/web.yaml"] = deployment(replicas=2, app=f"web-{number}")
        files[f"old/deploy/env{number:03}/web.yaml"] = deployment(replicas=3, app=f"web-{number}")
    write(here, files)
    result = run_cli("plan", "--format", "json", "--previous", "old", "deploy")
    document = json.loads(result.stdout)
    assert document["findings"] == []
    assert {p["change"] for p in document["plans"]} == {"scale"}
    assert len(document["plans"]) == 300


def brute_force_previous(path: str, copies: list[tuple[str, str]]) -> str | None:
    """The rule PreviousCopies implements, spelled out: compare every copy."""

    def suffix(first: list[str], second: list[str]) -> int:
        length = 0
        while length < min(len(first), len(second)) and first[-1 - length] == second[-1 - length]:
            length += 1
        return length

    parts = path.split("/")

    def likeness(copy: tuple[str, str]) -> tuple[bool, int, int, list[str]]:
        other = copy[0].split("/")
        return (copy[0] == path, suffix(parts, other), suffix(parts[:-1], other[:-1]), other)

    return max(copies, key=likeness)[1] if copies else None


PATHS = st.lists(
    st.sampled_from(["", "a", "b", "deploy", "prod", "web.yaml"]), min_size=1, max_size=5
)


@given(st.lists(PATHS, max_size=6), PATHS)
def test_previous_copies_pick_what_comparing_every_copy_picks(
    copies: list[list[str]], path: list[str]
) -> None:
    placed = [("/".join(parts), "/".join(parts)) for parts in copies]
    placed = list(dict(placed).items())  # one copy per path, as in the inputs
    assert PreviousCopies(placed).of("/".join(path)) == brute_force_previous("/".join(path), placed)
