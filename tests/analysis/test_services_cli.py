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
    assert [line.split()[:2] for line in table] == [
        ["SERVICE", "TYPE"],
        ["default/hello-server-service", "ClusterIP"],
        ["default/hello-server-nodeport", "NodePort"],
        ["default/hello-server-lb", "LoadBalancer"],
        ["default/external-db", "ExternalName"],
    ]
    assert table[2].split()[2:6] == ["8080:30080/TCP", "Deployment", "hello-server", "8080->8080"]
    assert table[3].split()[2:6] == ["80/TCP", "Deployment", "hello-server", "80->8080"]
    assert "(DNS alias of db.example.com)" in table[4]


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
