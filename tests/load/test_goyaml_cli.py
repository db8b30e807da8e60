"""Through the CLI: YAML that go-yaml v2 (so Kubernetes) accepts is checked, not RP001."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import RunCli

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: front:end}
spec:
  replica: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        args: [--listen=0.0.0.0:8080, --upstream=http://api:9090/v1]
        ports: [{containerPort: 8080, name: http}]
        env: [{name: TARGET, value: frontend:80}, {name: BAD, value: 1}]
"""

# A custom resource with a flow list of host:port targets (as in Bank of Anthos), then a
# Service of the same file.
BANK_OF_ANTHOS = """\
apiVersion: example.com/v1
kind: LoadTest
metadata:
  name: frontend-load
spec:
  target: [frontend:80]
---
apiVersion: v1
kind: Service
metadata:
  name: frontend
spec:
  selector: {app: frontend}
  ports: [{port: 80, targetPort: 8080, protocl: TCP}]
"""


def findings(run_cli: RunCli, path: Path) -> list[dict[str, Any]]:
    result = run_cli("lint", "--format", "json", "--select", "RP0,RP1", path)
    assert result.exit_code == 1
    found: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    return found


def position(text: str, line_text: str, column_text: str) -> tuple[int, int]:
    lines = text.splitlines()
    line = next(n for n, line in enumerate(lines, 1) if line_text in line)
    return line, lines[line - 1].index(column_text) + 1


def test_a_flow_list_with_colons_is_checked_with_exact_positions(
    run_cli: RunCli, tmp_path: Path
) -> None:
    path = tmp_path / "deploy.yaml"
    path.write_text(DEPLOYMENT)
    found = [(f["rule"], f["line"], f["column"], f["field"]) for f in findings(run_cli, path)]
    assert found == [
        ("RP102", 7, 3, "spec.replica"),
        (
            "RP101",
            *position(DEPLOYMENT, "name: BAD", "1}"),
            "spec.template.spec.containers[0].env[1].value",
        ),
    ]


def test_a_flow_list_of_host_ports_does_not_hide_the_file(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "load.yaml"
    path.write_text(BANK_OF_ANTHOS)
    found = [(f["rule"], f["line"], f["column"]) for f in findings(run_cli, path)]
    assert found == [("RP102", *position(BANK_OF_ANTHOS, "protocl", "protocl"))]


def test_what_go_yaml_rejects_in_a_flow_list_stays_rp001(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(DEPLOYMENT.replace("[--listen", "[--listen?x").replace("nginx:1.27", "[a:b"))
    found = [(f["rule"], f["line"]) for f in findings(run_cli, path)]
    assert [rule for rule, _ in found] == ["RP001"]


def test_a_colon_after_a_blank_in_a_flow_list_is_text(run_cli: RunCli, tmp_path: Path) -> None:
    # go-yaml reads "[--listen :8080]" as the one string "--listen :8080"; libyaml refuses it
    text = DEPLOYMENT.replace(
        "[--listen=0.0.0.0:8080,", "[--listen :8080, --peer\n          :9090,"
    )
    path = tmp_path / "deploy.yaml"
    path.write_text(text)
    found = [(f["rule"], f["line"], f["column"]) for f in findings(run_cli, path)]
    assert found == [("RP102", 7, 3), ("RP101", *position(text, "name: BAD", "1}"))]


def test_a_verbatim_tag_beside_a_flow_colon_is_read(run_cli: RunCli, tmp_path: Path) -> None:
    text = DEPLOYMENT.replace("image: nginx:1.27", "image: !<tag:yaml.org,2002:str> nginx:1.27")
    path = tmp_path / "deploy.yaml"
    path.write_text(text)
    assert [f["rule"] for f in findings(run_cli, path)] == ["RP102", "RP101"]


def test_an_escaped_private_use_character_keeps_its_value(run_cli: RunCli, tmp_path: Path) -> None:
    # the retry swaps ':' for a private-use character the text does not hold; one written as
    # an escape ("\ue000") must not be taken for it and turned into something else
    text = (
        DEPLOYMENT.replace("tier: front:end", 'tier: "a\\ue000\\ue001\\U0000e002b"')
        .replace("replica:", "replicas:")
        .replace("value: 1}", "value: '1'}")
    )
    path = tmp_path / "deploy.yaml"
    path.write_text(text)
    result = run_cli("lint", "--format", "json", "--select", "RP203", path)
    (label,) = json.loads(result.stdout)["findings"]
    assert "'a\\ue000\\ue001\\ue002b'" in label["message"]
