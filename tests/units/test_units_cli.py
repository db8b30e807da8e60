"""Apply units through the CLI: copies of one app in several directories are never mixed,
a true duplicate inside one unit is RP407, and every plan and Service row names its file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, RunCli
from tests.units.layouts import deployment, findings, service, write


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def staging_and_prod(here: Path) -> None:
    """Two self-consistent copies of one app; prod relabels its pods and has one mistake."""
    write(here, {
        "deploy/staging/web.yaml": deployment(replicas=2, app="web"),
        "deploy/staging/svc.yaml": service(app="web"),
        "deploy/prod/web.yaml": deployment(replicas=5, app="web-v2"),
        "deploy/prod/svc.yaml": service(app="web-v2", target="htpp"),
    })  # fmt: skip


def test_staging_and_prod_copies_are_checked_apart(run_cli: RunCli, here: Path) -> None:
    staging_and_prod(here)
    result = run_cli("lint", "deploy")
    found = findings(result.stdout)
    # before: prod's Deployment replaced staging's, so staging's Service selected nothing
    assert [(path, rule) for path, rule, _ in found] == [("deploy/prod/svc.yaml", "RP402")]
    assert result.exit_code == 1


def test_each_plan_names_its_file_and_lists_its_own_services_once(
    run_cli: RunCli, here: Path
) -> None:
    staging_and_prod(here)
    plans = json.loads(run_cli("plan", "--format", "json", "deploy").stdout)["plans"]
    shown = [
        (plan["file"], [(s["file"], s["endpoints"][0]) for s in plan["services"]]) for plan in plans
    ]
    assert shown == [
        ("deploy/prod/web.yaml", [("deploy/prod/svc.yaml", 5)]),
        ("deploy/staging/web.yaml", [("deploy/staging/svc.yaml", 2)]),
    ]
    text = run_cli("plan", "deploy").stdout
    assert "Deployment default/web (deploy/prod/web.yaml): rollout" in text
    assert "Service default/web (deploy/staging/svc.yaml; selects old and new pods)" in text


def test_previous_versions_are_matched_by_path_within_each_unit(
    run_cli: RunCli, here: Path
) -> None:
    staging_and_prod(here)
    write(here, {
        "old/deploy/staging/web.yaml": deployment(replicas=2, app="web"),
        "old/deploy/prod/web.yaml": deployment(replicas=5, app="web"),  # selector changes
    })  # fmt: skip
    result = run_cli("plan", "--format", "json", "--previous", "old", "deploy")
    changes = {p["file"]: p["change"] for p in json.loads(result.stdout)["plans"]}
    assert changes == {"deploy/prod/web.yaml": "refused", "deploy/staging/web.yaml": "no-change"}


def test_a_base_beside_overlays_is_a_unit_of_its_own(run_cli: RunCli, here: Path) -> None:
    write(here, {
        "app/base/deployment.yaml": deployment(replicas=1),
        "app/base/service.yaml": service(),
        "app/overlays/prod/deployment.yaml": deployment(replicas=4),
        "app/overlays/staging/deployment.yaml": deployment(replicas=2),
    })  # fmt: skip
    result = run_cli("plan", "--format", "json", "app")
    report = json.loads(result.stdout)
    assert [f for f in report["findings"] if f["severity"] != "info"] == []
    plans = {p["file"]: [s["file"] for s in p["services"]] for p in report["plans"]}
    assert plans == {
        "app/base/deployment.yaml": ["app/base/service.yaml"],
        "app/overlays/prod/deployment.yaml": [],
        "app/overlays/staging/deployment.yaml": [],
    }


def test_a_duplicate_in_one_directory_is_rp407_naming_the_other_file(
    run_cli: RunCli, here: Path
) -> None:
    write(here, {
        "deploy/web-copy.yaml": "# the old copy\n" + deployment(replicas=2),
        "deploy/web.yaml": deployment(replicas=3),
        "deploy/svc.yaml": service(),
    })  # fmt: skip
    result = run_cli("lint", "--select", "RP4", "deploy")
    assert result.stdout.splitlines()[:-1] == [
        "deploy/web.yaml:1:1: warning RP407 Deployment default/web is defined again here "
        "(also at deploy/web-copy.yaml:2): applied together, this copy silently replaces "
        "that one on `kubectl apply` [Deployment default/web]"
    ]
    plans = json.loads(run_cli("plan", "--format", "json", "deploy").stdout)["plans"]
    assert [(p["file"], len(p["services"])) for p in plans] == [
        ("deploy/web-copy.yaml", 1),
        ("deploy/web.yaml", 1),
    ]


def test_a_duplicate_in_one_file_names_its_line(run_cli: RunCli, here: Path) -> None:
    write(here, {"web.yaml": "\n---\n".join([deployment(), service(), deployment(replicas=4)])})
    result = run_cli("lint", "--select", "duplicate-object", "web.yaml")
    assert [(path, rule) for path, rule, _ in findings(result.stdout)] == [("web.yaml", "RP407")]
    assert "(also at web.yaml:1)" in result.stdout
    assert result.stdout.startswith("web.yaml:38:1: ")  # where the third document starts


def test_the_seed_lists_each_service_once_per_plan(run_cli: RunCli) -> None:
    result = run_cli("plan", "--format", "json", FIXTURES / "seed")
    plans = json.loads(result.stdout)["plans"]
    hello = [p for p in plans if p["deployment"]["name"] == "hello-server"]
    assert [Path(p["file"]).name for p in hello] == [
        "deployment-hello-server-bad-image.yaml",
        "deployment-hello-server-fixed.yaml",
        "deployment-hello-server.yaml",
    ]
    for plan in plans:
        names = [s["service"]["name"] for s in plan["services"]]
        assert len(names) == len(set(names)), plan["file"]
        assert all(s["endpoints"][0] == plan["replicas"] for s in plan["services"])
    assert [len(p["services"]) for p in hello] == [3, 3, 3]
    text = run_cli("plan", FIXTURES / "seed").stdout
    assert f"Deployment default/hello-server ({FIXTURES}/seed/deployment-hello-server.yaml)" in text
    assert "ready endpoints 12" not in text


def test_a_shared_service_is_resolved_in_each_unit_and_reported_once(
    run_cli: RunCli, here: Path
) -> None:
    write(here, {
        "deploy/svc.yaml": service(),
        "deploy/staging/web.yaml": deployment(replicas=2, port="http"),
        "deploy/prod/web.yaml": deployment(replicas=3, port="web"),
    })  # fmt: skip
    result = run_cli("lint", "deploy")
    assert [(path, rule) for path, rule, _ in findings(result.stdout)] == [
        ("deploy/svc.yaml", "RP402")
    ]  # prod's pods lack the port name; staging's have it: said once, naming the unit
    assert result.stdout.splitlines()[0].endswith(
        "its pods get no endpoint for this port (in the apply unit deploy/prod) "
        "[Service default/web]"
    )
    plans = json.loads(run_cli("plan", "--format", "json", "deploy").stdout)["plans"]
    assert [
        (p["file"], [(s["file"], s["endpoints"][0]) for s in p["services"]]) for p in plans
    ] == [
        ("deploy/prod/web.yaml", [("deploy/svc.yaml", 3)]),
        ("deploy/staging/web.yaml", [("deploy/svc.yaml", 2)]),
    ]
    services = json.loads(run_cli("services", "--format", "json", "deploy").stdout)["services"]
    assert [s["file"] for s in services] == ["deploy/svc.yaml"]


def test_a_shared_services_row_shows_the_pods_it_selects_in_a_unit(
    run_cli: RunCli, here: Path
) -> None:
    write(here, {
        "deploy/svc.yaml": service(),
        "deploy/staging/web.yaml": deployment(replicas=2),
        "deploy/prod/web.yaml": deployment(replicas=3),
        "deploy/common/other.yaml": service(name="other", app="other"),  # joins svc.yaml's unit
    })  # fmt: skip
    services = json.loads(run_cli("services", "--format", "json", "deploy").stdout)["services"]
    # was the unit of the files beside it, where it selects nothing
    assert [(s["file"], [w["name"] for w in s["selects"]]) for s in services] == [
        ("deploy/common/other.yaml", []),
        ("deploy/svc.yaml", ["web"]),
    ]
    assert "Deployment web" in run_cli("services", "deploy").stdout.splitlines()[-3]


def test_a_finding_every_unit_shares_is_reported_once_as_it_is(run_cli: RunCli, here: Path) -> None:
    write(here, {
        "deploy/svc.yaml": service(),
        "deploy/staging/web.yaml": deployment(replicas=2, port="web"),
        "deploy/prod/web.yaml": deployment(replicas=3, port="web"),
    })  # fmt: skip
    found = findings(run_cli("lint", "deploy").stdout)
    assert [(path, rule) for path, rule, _ in found] == [("deploy/svc.yaml", "RP402")]
    assert "apply unit" not in found[0][2]


def test_the_services_table_names_each_file(run_cli: RunCli, here: Path) -> None:
    staging_and_prod(here)
    lines = run_cli("services", "deploy").stdout.splitlines()
    lines = lines[next(i for i, line in enumerate(lines) if line.startswith("SERVICE")) :]
    assert lines[0].split()[:3] == ["SERVICE", "FILE", "TYPE"]
    assert [line.split()[:2] for line in lines[1:3]] == [
        ["default/web", "deploy/prod/svc.yaml"],
        ["default/web", "deploy/staging/svc.yaml"],
    ]
    assert lines[1].split()[-1] == "RP402" and lines[2].split()[-1] == "-"


def test_units_in_the_config_file_take_the_files_they_name(run_cli: RunCli, here: Path) -> None:
    write(here, {
        "deploy/web-blue.yaml": deployment(replicas=2),
        "deploy/web-green.yaml": deployment(replicas=4),
        "deploy/svc.yaml": service(),
        ".rolloutplan.yaml": "units:\n- [deploy/*-blue.yaml, deploy/svc.yaml]\n"
        "- ['**/web-green.*', deploy/svc.yaml]\n",
    })  # fmt: skip
    assert findings(run_cli("lint", "--select", "RP4", "deploy").stdout) == []
    plans = json.loads(run_cli("plan", "--format", "json", "deploy").stdout)["plans"]
    assert [(p["file"], len(p["services"])) for p in plans] == [
        ("deploy/web-blue.yaml", 1),
        ("deploy/web-green.yaml", 1),
    ]
    (here / ".rolloutplan.yaml").unlink()  # one directory: a true duplicate again
    assert [r for _, r, _ in findings(run_cli("lint", "--select", "RP4", "deploy").stdout)] == [
        "RP407"
    ]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("units: deploy/**", "'units' must be a list of globs"),
        ("units: [[]]", "'units' entry 1 must be a glob or a non-empty list of globs"),
        ("units: [3]", "'units' entry 1 must be a glob"),
        ("units: ['a/**', '/']", "'units' entry 2: '/' is not a glob"),
        ("units: ['" + "a" * 1100 + "']", "'units' entry 1: 'aaaa"),
    ],
)
def test_a_bad_units_setting_is_a_usage_error(
    run_cli: RunCli, here: Path, setting: str, message: str
) -> None:
    write(here, {".rolloutplan.yaml": setting + "\n", "web.yaml": deployment()})
    result = run_cli("lint", "web.yaml")
    assert result.exit_code == 2
    assert message in result.stderr
    assert ".rolloutplan.yaml" in result.stderr


def test_a_branch_takes_its_subdirectories_and_a_sibling_directory_is_its_own_unit(
    run_cli: RunCli, here: Path
) -> None:
    write(here, {
        "deploy/staging/web.yaml": deployment(replicas=2),
        "deploy/prod/web.yaml": deployment(replicas=3),
        "deploy/prod/extra/svc.yaml": service(),  # in prod's unit
        "deploy/common/other.yaml": service(name="other", app="other"),  # not shared
    })  # fmt: skip
    plans = json.loads(run_cli("plan", "--format", "json", "deploy").stdout)["plans"]
    assert [(p["file"], [s["file"] for s in p["services"]]) for p in plans] == [
        ("deploy/prod/web.yaml", ["deploy/prod/extra/svc.yaml"]),
        ("deploy/staging/web.yaml", []),
    ]
