"""`rolloutplan services` and the reachability findings in `lint`."""

from __future__ import annotations

import json

from tests.conftest import FIXTURES, RunCli

SEED = FIXTURES / "seed"
SEED_SERVICES = [
    SEED / name
    for name in (
        "deployment-hello-server.yaml",
        "service-clusterip.yaml",
        "service-nodeport.yaml",
        "service-loadbalancer.yaml",
        "service-externalname.yaml",
    )
]


def test_services_table_for_the_seed_four_service_types(run_cli: RunCli) -> None:
    result = run_cli("services", *SEED_SERVICES)
    assert result.exit_code == 0
    table = result.stdout[result.stdout.index("SERVICE ") :].split("\n\n")[0].splitlines()
    # files in path order, whatever order they were given in
    assert [[line.split()[0], line.split()[2]] for line in table] == [
        ["SERVICE", "TYPE"],
        ["default/hello-server-service", "ClusterIP"],
        ["default/external-db", "ExternalName"],
        ["default/hello-server-lb", "LoadBalancer"],
        ["default/hello-server-nodeport", "NodePort"],
    ]
    assert table[1].split()[1] == f"{SEED}/service-clusterip.yaml"  # each row names its file
    assert "(DNS alias of db.example.com)" in table[2]
    assert table[3].split()[3:7] == ["80/TCP", "Deployment", "hello-server", "80->8080"]
    assert table[4].split()[3:7] == ["8080:30080/TCP", "Deployment", "hello-server", "8080->8080"]
    assert run_cli("services", *reversed(SEED_SERVICES)).stdout == result.stdout


def test_services_json(run_cli: RunCli) -> None:
    result = run_cli("services", "--format", "json", *SEED_SERVICES)
    services = json.loads(result.stdout)["services"]
    lb = next(s for s in services if s["service"]["name"] == "hello-server-lb")
    assert lb["selects"] == [{"kind": "Deployment", "namespace": "default", "name": "hello-server"}]
    assert lb["ports"] == [
        {
            "port": 80,
            "protocol": "TCP",
            "targetPort": 8080,
            "targets": [{"kind": "Deployment", "name": "hello-server", "port": 8080}],
        }
    ]
    external = next(s for s in services if s["type"] == "ExternalName")
    assert (external["selector"], external["selects"], external["ports"]) == (None, [], [])


def test_a_template_that_drops_the_service_label_is_flagged_at_the_selector(
    run_cli: RunCli,
) -> None:
    fixture = FIXTURES / "rules" / "service-selects-nothing" / "fail-label-drift.yaml"
    result = run_cli("lint", fixture)
    assert result.exit_code == 1
    (line,) = [row for row in result.stdout.splitlines() if "RP401" in row]
    assert line.startswith(f"{fixture}:29:3: error RP401 spec.selector: selector app=web-frontend")
    assert "(closest: Deployment web, app=web not app=web-frontend)" in line


def test_services_table_shows_findings_and_unresolved_named_ports(run_cli: RunCli) -> None:
    fixture = FIXTURES / "rules" / "target-port-not-found" / "fail-renamed-port.yaml"
    result = run_cli("services", fixture)
    assert result.exit_code == 1
    assert "80->web-http=none  RP402" in result.stdout


def test_stalled_hello_server_keeps_three_endpoints_and_says_so(run_cli: RunCli) -> None:
    args = (SEED / "deployment-hello-server-bad-image.yaml", SEED / "service-clusterip.yaml")
    result = run_cli("plan", "--new-pods", "never-ready", *args)
    assert result.exit_code == 0
    assert (
        f"Service default/hello-server-service ({SEED}/service-clusterip.yaml; selects old and "
        "new pods): ready endpoints "
        "3 at the start, 3 at the end, at least 3 throughout" in result.stdout
    )
    assert "the old pods keep serving: 3 endpoints while it waits" in result.stdout
    document = json.loads(run_cli("plan", "--format", "json", "--new-pods", "never-ready",
                                  *args).stdout)  # fmt: skip
    (timeline,) = document["plans"][0]["services"]
    assert (timeline["endpoints"], timeline["zeroEndpointWindows"]) == ([3, 3], [])


def test_recreate_shows_the_zero_endpoint_window_and_its_length(run_cli: RunCli) -> None:
    fixture = FIXTURES / "plans" / "hello-server-recreate.yaml"
    result = run_cli("plan", fixture)
    # preStop sleeps 15 s, then the new pods need 5 s for their first readiness probe
    assert "no endpoints from step 1 to step 3 (~20s)" in result.stdout
    assert (
        "warning RP311 spec.strategy.type: Service hello-server-service has no ready "
        "endpoints from step 1 to step 3 (~20s)" in result.stdout
    )
    document = json.loads(run_cli("plan", "--format", "json", fixture).stdout)
    (timeline,) = document["plans"][0]["services"]
    assert timeline["endpoints"] == [3, 0, 0, 0, 3]
    assert timeline["zeroEndpointWindows"] == [{"fromStep": 1, "toStep": 3, "seconds": 20}]
    assert timeline["minEndpoints"] == 0
