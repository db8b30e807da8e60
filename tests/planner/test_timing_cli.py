"""Durations that mean something: a plan whose manifest and settings say nothing of how long
pods take to start says so instead of "~0s", and ``pod-startup`` (with per-Deployment
overrides) can be set in the config file."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, RunCli

NGINX = FIXTURES / "seed" / "deployment-nginx.yaml"  # no probe, no minReadySeconds: 3 waves
PROBES = FIXTURES / "plans" / "deployment-probes.yaml"  # minReadySeconds 10: 2 waves
FIX = "set --pod-startup or `pod-startup:` in the config"


def deployment(name: str, namespace: str = "shop", tier: str = "web") -> str:
    """A Deployment of 4 replicas (maxSurge 1, maxUnavailable 0: 4 waves), no probes."""
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  replicas: 4
  strategy: {{type: RollingUpdate, rollingUpdate: {{maxSurge: 1, maxUnavailable: 0}}}}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}, tier: {tier}}}}}
    spec:
      containers:
      - {{name: app, image: "example.com/{name}:2"}}
---
"""


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    """Run in an empty folder, so no config file above it applies."""
    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(here)


def plans(run_cli: RunCli, *args: object, command: str = "plan") -> dict[str, dict[str, Any]]:
    result = run_cli(command, "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stderr
    return {p["deployment"]["name"]: p for p in json.loads(result.stdout)["plans"]}


def per_wave(plan: dict[str, Any]) -> int:
    assert plan["waves"] > 0 and plan["durationSeconds"] % plan["waves"] == 0
    return plan["durationSeconds"] // plan["waves"]


def test_no_readiness_timing_says_so_instead_of_zero_seconds(run_cli: RunCli, in_tmp: Path) -> None:
    text = run_cli("plan", NGINX).stdout
    assert "~0s" not in text
    assert f"duration 3 waves x start-up time (unknown: {FIX})" in text
    assert "3 waves x start-up\n" in text  # the last step's TIME
    markdown = run_cli("plan", "--format", "markdown", NGINX).stdout
    assert "~0s" not in markdown
    assert "| 3 waves x start-up |" in markdown  # the summary table's duration
    brief = run_cli("plan", "--plans", "brief", NGINX).stdout
    assert "~0s" not in brief
    assert ", 3 waves x start-up, peak 4 pods," in brief
    plan = plans(run_cli, NGINX)["nginx-deployment"]
    assert (plan["durationSeconds"], plan["durationKnown"]) == (0, False)
    assert any(FIX in line and "unknown" in line for line in plan["assumptions"])


def test_probe_delays_or_min_ready_seconds_are_a_known_duration(
    run_cli: RunCli, in_tmp: Path
) -> None:
    plan = plans(run_cli, PROBES)["api"]
    assert (plan["durationSeconds"], plan["durationKnown"]) == (40, True)
    # the probes are known, the image pull is not: an assumption, as before
    assert f"image pulls and container start are taken as instant ({FIX})" in plan["assumptions"]
    assert "duration ~40s," in run_cli("plan", PROBES).stdout


def test_pod_startup_in_the_config_file_times_every_wave(run_cli: RunCli, in_tmp: Path) -> None:
    (in_tmp / ".rolloutplan.yaml").write_text("pod-startup: 30\n")
    found = plans(run_cli, NGINX, PROBES)
    nginx, api = found["nginx-deployment"], found["api"]
    assert (nginx["waves"], nginx["durationSeconds"], nginx["durationKnown"]) == (3, 90, True)
    # pod-startup replaces the probe estimate; minReadySeconds (10 s) still follows it
    assert (api["waves"], api["durationSeconds"]) == (2, 2 * (30 + 10))
    origin = "new pods become ready 30s after creation (pod-startup in .rolloutplan.yaml)"
    assert origin in nginx["assumptions"]
    assert [s["seconds"] for s in nginx["steps"] if s["kind"] == "wait"] == [30, 60, 90]
    assert "duration ~90s," in run_cli("plan", NGINX).stdout


def test_check_reads_pod_startup_from_the_config_too(run_cli: RunCli, in_tmp: Path) -> None:
    (in_tmp / ".rolloutplan.yaml").write_text("pod-startup: 7\n")
    assert plans(run_cli, NGINX, command="check")["nginx-deployment"]["durationSeconds"] == 21


def test_pyproject_tool_table_sets_pod_startup(run_cli: RunCli, in_tmp: Path) -> None:
    (in_tmp / "pyproject.toml").write_text("[tool.rolloutplan]\npod-startup = 15\n")
    plan = plans(run_cli, NGINX)["nginx-deployment"]
    assert plan["durationSeconds"] == 45
    origin = "new pods become ready 15s after creation (pod-startup in pyproject.toml)"
    assert origin in plan["assumptions"]


OVERRIDES = """\
pod-startup: 20
pod-startup-overrides:
  - {name: "shop/payments", seconds: 90}
  - {label: "tier=batch", seconds: 300}
  - {name: "report-*", seconds: 45}
"""


def overridden(tmp: Path) -> Path:
    manifest = tmp / "apps.yaml"
    manifest.write_text(
        deployment("payments", tier="batch")  # both match: the first entry wins
        + deployment("payments", namespace="staging")  # not shop/payments: the default
        + deployment("nightly", tier="batch")
        + deployment("report-daily", namespace="ops")
        + deployment("web")
    )
    (tmp / ".rolloutplan.yaml").write_text(OVERRIDES)
    return manifest


def test_overrides_by_name_and_label_first_match_wins(run_cli: RunCli, in_tmp: Path) -> None:
    result = run_cli("plan", "--format", "json", overridden(in_tmp))
    found = {
        f"{p['deployment']['namespace']}/{p['deployment']['name']}": p
        for p in json.loads(result.stdout)["plans"]
    }
    assert {ref: per_wave(plan) for ref, plan in found.items()} == {
        "shop/payments": 90,
        "staging/payments": 20,
        "shop/nightly": 300,
        "ops/report-daily": 45,
        "shop/web": 20,
    }
    assert all(plan["waves"] == 4 for plan in found.values())
    origins = {
        "shop/payments": "pod-startup-overrides: shop/payments",
        "shop/nightly": "pod-startup-overrides: label tier=batch",
        "ops/report-daily": "pod-startup-overrides: report-*",
        "shop/web": "pod-startup in .rolloutplan.yaml",
    }
    for ref, origin in origins.items():
        line = f"new pods become ready {per_wave(found[ref])}s after creation ({origin})"
        assert line in found[ref]["assumptions"]


def test_the_command_line_beats_the_config_for_every_deployment(
    run_cli: RunCli, in_tmp: Path
) -> None:
    found = plans(run_cli, "--pod-startup", "5", overridden(in_tmp))
    assert {per_wave(plan) for plan in found.values()} == {5}
    assert all(
        "new pods become ready 5s after creation (--pod-startup)" in plan["assumptions"]
        for plan in found.values()
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("pod-startup: -1\n", "'pod-startup' must be a whole number of seconds from 0"),
        ("pod-startup: abc\n", "'pod-startup' must be a whole number of seconds"),
        ('pod-startup: "30"\n', "'pod-startup' must be a whole number of seconds"),
        ("pod-startup: [30]\n", "'pod-startup' must be a whole number of seconds"),
        ("pod-startup: 1.5\n", "'pod-startup' must be a whole number of seconds"),
        ("pod-startup: true\n", "'pod-startup' must be a whole number of seconds"),
        ("pod-startup: 2147483648\n", "'pod-startup' must be a whole number of seconds"),
        ("pod-startup-overrides: {name: web}\n", "'pod-startup-overrides' must be a list"),
        (
            "pod-startup-overrides: [{name: web}]\n",
            "'pod-startup-overrides' entry 1 must have seconds and either name or label",
        ),
        (
            "pod-startup-overrides: [{name: web, label: a=b, seconds: 1}]\n",
            "'pod-startup-overrides' entry 1 must have seconds and either name or label",
        ),
        (
            "pod-startup-overrides: [{name: a, seconds: 1}, {name: b, seconds: -5}]\n",
            "'pod-startup-overrides' entry 2: seconds must be a whole number of seconds",
        ),
        (
            "pod-startup-overrides: [{label: tier, seconds: 1}]\n",
            "'pod-startup-overrides' entry 1: label must be key=value",
        ),
        (
            "pod-startup-overrides: [{name: '', seconds: 1}]\n",
            "'pod-startup-overrides' entry 1: name must be a Deployment's namespace/name",
        ),
        (
            "pod-startup-overrides: [{label: 5, seconds: 1}]\n",
            "'pod-startup-overrides' entry 1: label must be key=value",
        ),
        ("pod-startup-overrides: [7]\n", "entry 1 must have seconds and either name or label"),
        (
            "pod-startup-overrides: [" + "{name: a, seconds: 1}, " * 257 + "]\n",
            "'pod-startup-overrides' must be a list of at most 256 entries",
        ),
    ],
)
def test_a_bad_pod_startup_setting_is_a_usage_error_naming_the_file(
    run_cli: RunCli, in_tmp: Path, content: str, message: str
) -> None:
    (in_tmp / ".rolloutplan.yaml").write_text(content)
    result = run_cli("plan", NGINX)
    assert result.exit_code == 2
    assert ".rolloutplan.yaml" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_changed_pod_startup_changes_cached_results(run_cli: RunCli, in_tmp: Path) -> None:
    """The result cache (on in every test, in a directory of its own) holds per-file
    results; plans and their findings come after it, so a new setting is always seen."""
    config = in_tmp / ".rolloutplan.yaml"

    def run(seconds: int) -> tuple[int, list[str]]:
        config.write_text(f"pod-startup: {seconds}\n")
        document = json.loads(run_cli("plan", "--format", "json", NGINX).stdout)
        rules = sorted(f["rule"] for f in document["findings"])
        return document["plans"][0]["durationSeconds"], rules

    # a wave longer than progressDeadlineSeconds (600 s) is RP310
    assert run(10) == (30, ["RP301"])
    assert run(700) == (2100, ["RP301", "RP310"])
    assert run(10) == (30, ["RP301"])


RECREATE = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: batch}
spec:
  replicas: 2
  strategy: {type: Recreate}
  selector: {matchLabels: {app: batch}}
  template:
    metadata: {labels: {app: batch}}
    spec:
      containers:
      - name: app
        image: example.com/batch:2
        lifecycle: {preStop: {sleep: {seconds: 15}}}
"""


def test_recreate_shows_the_known_termination_wait_and_the_unknown_wave(
    run_cli: RunCli, in_tmp: Path
) -> None:
    (in_tmp / "batch.yaml").write_text(RECREATE)
    text = run_cli("plan", in_tmp / "batch.yaml").stdout
    assert f"duration 15s + 1 wave x start-up time (unknown: {FIX})" in text
    assert "~15s" not in text
    plan = plans(run_cli, in_tmp / "batch.yaml")["batch"]
    assert (plan["durationSeconds"], plan["durationKnown"]) == (15, False)
