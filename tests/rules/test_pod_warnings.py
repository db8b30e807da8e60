"""The API server's warnings on pod templates (RP239-RP248), through the CLI: where they
point, what they say, and where the server refuses instead of warning.  The fixtures under
fixtures/rules/<rule-name>/ cover each rule's lines; these cover the edges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import RunCli


def workload(pod: str = "", container: str = "", *, kind: str = "Deployment") -> str:
    return (
        f"apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: web\nspec:\n"
        "  selector:\n    matchLabels:\n      app: web\n"
        "  template:\n    metadata:\n      labels:\n        app: web\n"
        f"    spec:\n{pod}      containers:\n      - name: app\n"
        f"        image: example.com/web:1.4.2\n{container}"
    )


def lint(run_cli: RunCli, path: Path, *extra: str) -> list[tuple[str, int, int, str, str]]:
    result = run_cli("lint", "--format", "json", "--ignore", "RP301", *extra, path)
    return [
        (f["rule"], f["line"], f["column"], f["field"], f["message"])
        for f in json.loads(result.stdout)["findings"]
    ]


def test_a_replica_set_gets_the_warnings_with_the_fix(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "rs.yaml"
    path.write_text(workload("      nodeSelector:\n        beta.kubernetes.io/os: linux\n",
                             kind="ReplicaSet"))  # fmt: skip
    result = run_cli("lint", "--select", "deprecated-node-label", path)
    assert result.exit_code == 0  # a warning: the server accepts the object
    [(rule, line, column, field, message)] = lint(run_cli, path)
    assert (rule, line, column) == ("RP239", 15, 9)  # at the key
    assert field == "spec.template.spec.nodeSelector[beta.kubernetes.io/os]"
    assert message == (
        'beta.kubernetes.io/os is deprecated since v1.14; use "kubernetes.io/os" instead'
    )


def test_ports_equal_down_to_a_host_port_are_an_error_not_a_warning(
    run_cli: RunCli, tmp_path: Path
) -> None:
    port = "        - containerPort: 8080\n          hostPort: 8080\n"
    path = tmp_path / "ports.yaml"
    path.write_text(workload(container="        ports:\n" + port + port))
    assert [(f[0], f[3]) for f in lint(run_cli, path)] == [
        ("RP221", "spec.template.spec.containers[0].ports[1].hostPort")
    ]


def test_ambiguous_host_ip_names_the_earlier_port(run_cli: RunCli, tmp_path: Path) -> None:
    ports = (
        "        ports:\n        - containerPort: 8080\n          hostPort: 80\n"
        "        - containerPort: 8080\n          hostPort: 80\n          hostIP: 10.0.0.1\n"
    )
    path = tmp_path / "ports.yaml"
    path.write_text(workload(container=ports))
    [(rule, line, _, field, message)] = lint(run_cli, path)
    assert (rule, line, field) == ("RP240", 20, "spec.template.spec.containers[0].ports[1]")
    assert message.startswith(
        "dangerously ambiguous port definition with spec.template.spec.containers[0].ports[0]"
    )


@pytest.mark.parametrize(
    ("memory", "warned"),
    [("2.5", True), ("1e-3", True), ("100m", True), ("2.999999999", False), ("1.5Ki", False)],
)
def test_fractional_bytes_as_the_server_rounds_them(
    run_cli: RunCli, tmp_path: Path, memory: str, warned: bool
) -> None:
    path = tmp_path / "memory.yaml"
    path.write_text(workload(container=f"        resources:\n          limits:\n"
                                       f"            memory: \"{memory}\"\n"))  # fmt: skip
    assert [f[0] for f in lint(run_cli, path)] == (["RP245"] if warned else [])


def test_an_update_reports_each_warning_once(run_cli: RunCli, tmp_path: Path) -> None:
    grace = "      terminationGracePeriodSeconds: -3\n"
    before, now = tmp_path / "before.yaml", tmp_path / "now.yaml"
    before.write_text(workload(grace))
    now.write_text(workload(grace, "        env:\n        - name: A\n          value: x\n"))
    found = lint(run_cli, now, "--previous", str(before))
    assert [(f[0], f[3]) for f in found] == [
        ("RP248", "spec.template.spec.terminationGracePeriodSeconds")
    ]


def test_annotations_of_sidecars_and_init_containers(run_cli: RunCli, tmp_path: Path) -> None:
    annotations = (
        "      annotations:\n"
        "        container.seccomp.security.alpha.kubernetes.io/init: runtime/default\n"
        "        container.seccomp.security.alpha.kubernetes.io/app: runtime/default\n"
    )
    text = workload(
        "      initContainers:\n      - name: init\n        image: example.com/init:1.0.0\n",
        "        securityContext:\n          seccompProfile:\n            type: RuntimeDefault\n",
    ).replace("        app: web\n    spec:", "        app: web\n" + annotations + "    spec:")
    path = tmp_path / "seccomp.yaml"
    path.write_text(text)
    [(rule, line, _, field, message)] = lint(run_cli, path)
    assert (rule, line) == ("RP242", 14)  # only init: app has the field
    assert field.endswith("annotations[container.seccomp.security.alpha.kubernetes.io/init]")
    assert "in the securityContext of container 'init'" in message


@pytest.mark.parametrize(
    ("key", "says"),
    [
        (
            "node-role.kubernetes.io/master",
            'deprecated; use "node-role.kubernetes.io/control-plane"',
        ),
        ("app.kubernetes.io/created-by", "deprecated since v1.9"),
        ("scheduler.alpha.kubernetes.io/preferAvoidPods", "deprecated since v1.22; use taints"),
    ],
)
def test_every_node_label_the_server_deprecates_is_warned_about(
    run_cli: RunCli, tmp_path: Path, key: str, says: str
) -> None:
    affinity = (
        "      affinity:\n        nodeAffinity:\n"
        "          preferredDuringSchedulingIgnoredDuringExecution:\n"
        "          - weight: 1\n            preference:\n              matchExpressions:\n"
        f"              - key: {key}\n                operator: DoesNotExist\n"
    )
    path = tmp_path / "web.yaml"
    path.write_text(workload(affinity))
    [(rule, line, column, field, message)] = lint(run_cli, path)
    assert (rule, line, column) == ("RP239", 20, 22)
    assert field.endswith("preferredDuringSchedulingIgnoredDuringExecution[0].preference"
                          ".matchExpressions[0].key")  # fmt: skip
    assert message.startswith(f"{key} is {says}")
