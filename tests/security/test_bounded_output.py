"""Rules about one object's relation to many others give one finding per object, naming
three of the others and counting the rest: the output stays linear in the input."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import RunCli

MANY = 300
NODE_PORT_SERVICE = """\
apiVersion: v1
kind: Service
metadata: {{name: edge-{index:03}}}
spec:
  type: NodePort
  selector: {{app: edge-{index:03}}}
  ports: [{{port: 80, nodePort: 30080}}]
"""
WORKLOAD = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web-{index:03}}}
spec:
  selector: {{matchLabels: {{app: web, shard: "{index}"}}}}
  template:
    metadata: {{labels: {{app: web, shard: "{index}"}}}}
    spec: {{containers: [{{name: web, image: "nginx:1.27", ports: [{{containerPort: 8080}}]}}]}}
"""
WIDE_SERVICE = """\
apiVersion: v1
kind: Service
metadata: {{name: web-{index}}}
spec:
  selector: {{app: web}}
  ports: [{{port: 80, targetPort: http}}]
"""


def findings(run_cli: RunCli, rule: str, path: Path) -> list[dict[str, object]]:
    result = run_cli("lint", "--format", "json", "--select", rule, path)
    return json.loads(result.stdout)["findings"]


def test_many_services_asking_for_one_node_port(run_cli: RunCli, tmp_path: Path) -> None:
    documents = [NODE_PORT_SERVICE.format(index=index) for index in range(MANY)]
    (tmp_path / "edge.yaml").write_text("---\n".join(documents))
    found = findings(run_cli, "RP405", tmp_path)
    assert len(found) == MANY
    assert found[0]["message"] == (
        "nodePort 30080/TCP is also requested by default/edge-001, default/edge-002, "
        "default/edge-003 and 296 more: the second Service to be created is rejected"
    )
    assert found[1]["message"].startswith(
        "nodePort 30080/TCP is also requested by default/edge-000, default/edge-002, "
        "default/edge-003 and 296 more"
    )


def test_services_selecting_many_workloads(run_cli: RunCli, tmp_path: Path) -> None:
    documents = [WORKLOAD.format(index=index) for index in range(MANY)]
    documents += [WIDE_SERVICE.format(index=index) for index in range(10)]
    (tmp_path / "web.yaml").write_text("---\n".join(documents))
    wide = findings(run_cli, "RP406", tmp_path)
    assert len(wide) == 10
    assert wide[0]["message"].startswith(
        f"selects the pods of {MANY} workloads (Deployment web-000, Deployment web-001, "
        "Deployment web-002 and 297 more): "
    )
    missing = findings(run_cli, "RP402", tmp_path)
    assert len(missing) == 10  # one per Service port, not one per selected workload
    assert missing[0]["message"] == (
        f"{MANY} workloads (Deployment web-000, Deployment web-001, Deployment web-002 and "
        "297 more) each declares no container port named 'http': its pods get no endpoint "
        "for this port"
    )
