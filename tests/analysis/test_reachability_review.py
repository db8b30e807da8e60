"""Review of issue 12's cross-file Service findings, through the CLI: what is no proof of a
mistake (a Service named for how it exposes an app, a pair of words such as internal and
external), what is no evidence of a port in use (a number after a flag that is not a port's),
and a Service that selects nothing among thousands of workloads sharing a label key."""

from __future__ import annotations

from pathlib import Path

import pytest

from rolloutplan.analysis import reachability
from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.objects import PodSource, Service
from tests.analysis.test_service_proof_cli import (
    deployment,
    lint,
    quiet_and_resolved,
    rules,
    service,
)
from tests.conftest import RunCli

# --- RP401 needs proof ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "selector", "labels"),
    [
        # an exporter's or another tier's pods, deployed from elsewhere
        ("redis-metrics", {"app": "redis", "component": "exporter"}, {"component": "server"}),
        ("web-public", {"app": "web", "tier": "edge"}, {"tier": "backend"}),
        # words that differ at the start are a pair, not a typo
        ("nginx-internal", {"app": "nginx", "tier": "internal"}, {"tier": "external"}),
        ("gateway-lb", {"app": "gateway", "zone": "internal"}, {"zone": "external"}),
    ],
)
def test_a_service_named_for_how_it_exposes_an_app_proves_nothing(
    run_cli: RunCli, tmp_path: Path, name: str, selector: dict[str, str], labels: dict[str, str]
) -> None:
    app = selector["app"]
    text = deployment(app, {"app": app, **labels}) + service(name, selector)
    code, findings = lint(run_cli, tmp_path, text)
    assert code == 0
    assert rules(findings) == ["RP409"]
    assert f"(closest in the files: Deployment {app}, " in findings[0]["message"]


@pytest.mark.parametrize(
    ("name", "selector"),
    [
        ("web-svc", {"app": "web", "tier": "frontend"}),  # a kind suffix: the same app
        ("web-headless", {"app": "wbe"}),
        ("web-internal", {"app": "web", "tier": "frontned"}),  # a typo of its own
        ("checkout", {"app": "shop", "tier": "frontedn"}),
        ("checkout", {"app": "shop", "tier": "fronteend"}),
    ],
)
def test_a_typo_or_a_kind_suffix_still_proves_the_mistake(
    run_cli: RunCli, tmp_path: Path, name: str, selector: dict[str, str]
) -> None:
    app = "shop" if name == "checkout" else "web"
    text = deployment("web", {"app": app, "tier": "backend" if name == "web-svc" else "frontend"})
    code, findings = lint(run_cli, tmp_path, text + service(name, selector))
    assert code == 1
    assert rules(findings) == ["RP401"]


# --- RP403: what shows the app using a port ---------------------------------------------


@pytest.mark.parametrize(
    "container",
    [
        "        args: [--timeout=9000]\n",
        "        args: [--workers, '9000']\n",
        "        args: [--report-interval=9000]\n",
        "        command: [sh, -c, 'exec server --max-body 9000']\n",
        "        env:\n        - {name: TIMEOUT_MS, value: '9000'}\n",
        "        env:\n        - {name: JAVA_OPTS, value: '-Xmx512m -Dcache.size=9000'}\n",
    ],
)
def test_a_number_after_a_flag_that_is_not_a_port_is_no_evidence(
    run_cli: RunCli, tmp_path: Path, container: str
) -> None:
    ports = "  - port: 80\n    targetPort: 9000\n"
    text = deployment("web", {"app": "web"}, container) + service("web", {"app": "web"}, ports)
    code, findings = lint(run_cli, tmp_path, text)
    assert code == 0
    assert [(f["rule"], f["severity"]) for f in findings] == [("RP403", "warning")]


@pytest.mark.parametrize(
    "container",
    [
        "        args: [--http-port, '9000']\n",
        "        args: [--metricsBindAddress=:9000]\n",
        "        args: [-listen, '9000']\n",
        "        env:\n        - {name: HTTP_PORT, value: '9000'}\n",
        "        env:\n        - {name: JAVA_OPTS, value: '-Xmx512m -Dserver.port=9000'}\n",
        "        env:\n        - {name: ASPNETCORE_URLS, value: 'http://+:9000'}\n",
    ],
)
def test_a_flag_or_variable_named_for_a_port_is_evidence(
    run_cli: RunCli, tmp_path: Path, container: str
) -> None:
    ports = "  - port: 80\n    targetPort: 9000\n"
    text = deployment("web", {"app": "web"}, container) + service("web", {"app": "web"}, ports)
    assert quiet_and_resolved(run_cli, tmp_path, text) == [["Deployment web"]]


def test_huge_args_are_read_in_one_pass(run_cli: RunCli, tmp_path: Path) -> None:
    many = ", ".join(["--port=" + "9" * 5000, "x" * 20000 + ":" * 20000] * 50)
    container = f"        args: [{many}, --port=9000]\n"
    ports = "  - port: 80\n    targetPort: 9000\n"
    text = deployment("web", {"app": "web"}, container) + service("web", {"app": "web"}, ports)
    assert quiet_and_resolved(run_cli, tmp_path, text) == [["Deployment web"]]


# --- a Service that selects nothing among thousands ------------------------------------

WORKLOADS = 400


def test_the_closest_workload_is_chosen_among_a_few_not_all(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, each such Service ranked every workload sharing a selector key; the index now
    hands over only those that can be closest (at most 50 when all tie)."""
    looked_at: list[int] = []
    closest = reachability._closest

    def counting(
        service: Service, pods: list[PodSource], position: dict[ObjectRef, int]
    ) -> PodSource:
        looked_at.append(len(pods))
        return closest(service, pods, position)

    monkeypatch.setattr(reachability, "_closest", counting)
    key = "app.kubernetes.io/name"
    text = "".join(deployment(f"app{n:03}", {key: f"app{n:03}"}) for n in range(WORKLOADS))
    text += deployment("checkout-x", {key: "shop", "tier": "db"})
    text += service("zzz", {key: "nothing-here"})  # all tie: the first 50, most similar
    text += service("chekout", {key: "shop", "tier": "web"})  # one shares a label
    text += service("app150-metrics", {key: "other"})  # named like a workload
    _, findings = lint(run_cli, tmp_path, text)
    messages = [f["message"].split("(closest in the files: ")[1] for f in findings]
    assert messages == [
        f"Deployment app000, {key}=app000 not {key}=nothing-here)",
        "Deployment checkout-x, tier=db not tier=web)",
        f"Deployment app150, {key}=app150 not {key}=other)",
    ]
    assert looked_at == [50, 1, 1]
