"""Cross-file Service findings are errors only when the given files prove them (issue 12).

RP401 needs a workload made for the Service whose labels contradict the selector; pods an
operator makes from a custom resource, pods deployed from elsewhere and pods in another
namespace are RP409 (info), nothing, and RP408.  RP402 suggests a close port name; RP403
stays quiet when the template shows the app using the port.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cache.test_result_cache import cached_count
from tests.conftest import RunCli

Findings = list[dict[str, Any]]


def deployment(name: str, labels: dict[str, str], container: str = "", **meta: str) -> str:
    """A Deployment whose pods carry ``labels``; ``container`` is extra YAML for its one
    container (indented by 8)."""
    label_lines = "".join(f"\n        {k}: {v}" for k, v in labels.items())
    meta_lines = "".join(f"\n  {k}: {v}" for k, v in meta.items())
    key, value = next(iter(labels.items()))
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}{meta_lines}
spec:
  selector:
    matchLabels:
      {key}: {value}
  template:
    metadata:
      labels:{label_lines}
    spec:
      containers:
      - name: app
        image: example/app:1.0
        ports:
        - name: http
          containerPort: 8080
{container}---
"""


def service(name: str, selector: dict[str, str], ports: str = "", **meta: str) -> str:
    selector_lines = "".join(f"\n    {k}: {v}" for k, v in selector.items())
    meta_lines = "".join(f"\n  {k}: {v}" for k, v in meta.items())
    ports = ports or "  - port: 80\n    targetPort: http\n"
    return f"""\
apiVersion: v1
kind: Service
metadata:
  name: {name}{meta_lines}
spec:
  selector:{selector_lines}
  ports:
{ports}---
"""


def lint(run_cli: RunCli, folder: Path, text: str, *args: str) -> tuple[int, Findings]:
    path = folder / "app.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("lint", "--format", "json", "--select", "RP4", *args, path)
    findings = [f for f in json.loads(result.stdout)["findings"] if f["rule"].startswith("RP4")]
    return result.exit_code, findings


def rules(findings: Findings) -> list[str]:
    return [f["rule"] for f in findings]


def quiet_and_resolved(run_cli: RunCli, folder: Path, text: str) -> list[list[str]]:
    """Assert no RP4 finding, even info, on ``text``, and return what each Service selects
    (kind and name of each workload): silence proves something only when the files were
    read and the Service was resolved against the workload meant for it."""
    path = folder / "app.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("services", "--format", "json", "--fail-on", "info", "--select", "RP4", path)
    report = json.loads(result.stdout)
    assert (result.exit_code, report["findings"]) == (0, [])
    assert report["summary"]["checked"].get("Service", 0) >= 1
    return [[f"{w['kind']} {w['name']}" for w in row["selects"]] for row in report["services"]]


# --- pods made by an operator ---------------------------------------------------------

KUBE_PROMETHEUS = """\
apiVersion: monitoring.coreos.com/v1
kind: Alertmanager
metadata:
  name: main
  namespace: monitoring
spec:
  image: quay.io/prometheus/alertmanager:v0.28.1
  podMetadata:
    labels:
      app.kubernetes.io/component: alert-router
      app.kubernetes.io/instance: main
      app.kubernetes.io/name: alertmanager
      app.kubernetes.io/part-of: kube-prometheus
  replicas: 3
---
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata:
  name: k8s
  namespace: monitoring
spec:
  replicas: 2
---
apiVersion: v1
kind: Service
metadata:
  name: alertmanager-main
  namespace: monitoring
spec:
  ports:
  - name: web
    port: 9093
    targetPort: web
  selector:
    alertmanager: main
    app.kubernetes.io/component: alert-router
    app.kubernetes.io/name: alertmanager
    app.kubernetes.io/part-of: kube-prometheus
---
apiVersion: v1
kind: Service
metadata:
  name: prometheus-k8s
  namespace: monitoring
spec:
  ports:
  - name: web
    port: 9090
    targetPort: web
  selector:
    app.kubernetes.io/name: prometheus
    prometheus: k8s
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: alertmanager-main
  namespace: monitoring
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: alertmanager
  endpoints:
  - port: web
---
""" + deployment(
    "blackbox-exporter",
    {"app.kubernetes.io/name": "blackbox-exporter", "app.kubernetes.io/part-of": "kube-prometheus"},
    namespace="monitoring",
)


def test_pods_an_operator_makes_from_a_custom_resource_are_no_error(
    run_cli: RunCli, tmp_path: Path
) -> None:
    # before: RP401 for both Services (blackbox-exporter shares their label keys), and
    # RP402 for the named port "web" the operator declares
    code, findings = lint(run_cli, tmp_path, KUBE_PROMETHEUS, "--fail-on", "info")
    assert (code, findings) == (0, [])
    table = run_cli("services", tmp_path / "app.yaml").stdout
    assert "monitoring/alertmanager-main" in table and "Alertmanager main" in table
    assert "Prometheus k8s" in table


def test_a_custom_resource_that_could_make_the_pods_weakens_the_error_and_is_named(
    run_cli: RunCli, tmp_path: Path
) -> None:
    search = """\
apiVersion: elasticsearch.k8s.elastic.co/v1
kind: Elasticsearch
metadata:
  name: logs
spec:
  version: 8.14.0
  nodeSets:
  - name: default
    count: 3
    podTemplate:
      metadata:
        labels:
          app: search
---
"""
    text = (
        search
        + deployment("search", {"app": "search-ui"})
        + service("search", {"app": "search", "role": "data"})
    )
    code, findings = lint(run_cli, tmp_path, text)
    assert code == 0
    (finding,) = findings
    assert (finding["rule"], finding["severity"]) == ("RP409", "info")
    assert "made by the operator of Elasticsearch logs" in finding["message"]
    assert (
        "closest in the files: Deployment search, app=search-ui not app=search"
        in (finding["message"])
    )


# --- pods deployed from elsewhere --------------------------------------------------------


def test_a_service_for_pods_from_elsewhere_is_at_most_info(run_cli: RunCli, tmp_path: Path) -> None:
    text = deployment("web", {"app.kubernetes.io/name": "web"}) + service(
        "dcgm-exporter", {"app.kubernetes.io/name": "dcgm-exporter"}
    )
    code, findings = lint(run_cli, tmp_path, text)
    assert code == 0  # before: RP401, an error
    assert rules(findings) == ["RP409"]
    assert "another repository, a chart or an operator" in findings[0]["message"]


def test_a_selector_with_chart_or_operator_labels_says_so(run_cli: RunCli, tmp_path: Path) -> None:
    text = deployment("web", {"app.kubernetes.io/name": "web"})
    text += service("db", {"app.kubernetes.io/name": "postgresql", "cnpg.io/cluster": "pg"})
    text += service("cache", {"app.kubernetes.io/name": "redis", "helm.sh/chart": "redis-19"})
    code, findings = lint(run_cli, tmp_path, text)
    assert code == 0
    messages = {f["name"]: f["message"] for f in findings}
    assert "an operator (the selector uses cnpg.io labels)" in messages["db"]
    assert "a Helm chart not in the given files" in messages["cache"]


def test_no_hint_in_the_files_gives_no_finding(run_cli: RunCli, tmp_path: Path) -> None:
    text = deployment("web", {"app": "web"}) + service("exporter", {"k8s-app": "exporter"})
    assert lint(run_cli, tmp_path, text, "--fail-on", "info") == (0, [])


def test_labels_added_at_run_time_are_no_proof(run_cli: RunCli, tmp_path: Path) -> None:
    # Patroni labels the primary role: master; the StatefulSet's template cannot show it
    patroni = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: patronidemo
spec:
  serviceName: patronidemo
  selector:
    matchLabels:
      application: patroni
  template:
    metadata:
      labels:
        application: patroni
        cluster-name: patronidemo
    spec:
      containers:
      - name: patroni
        image: patroni:4
        ports:
        - containerPort: 5432
---
"""
    selector = {"application": "patroni", "cluster-name": "patronidemo", "role": "master"}
    text = patroni + service("patronidemo", selector, "  - port: 5432\n")
    code, findings = lint(run_cli, tmp_path, text)
    assert code == 0
    assert rules(findings) == ["RP409"]


def test_labels_the_controller_adds_are_matched(run_cli: RunCli, tmp_path: Path) -> None:
    stateful = deployment("web", {"app": "web"}).replace("kind: Deployment", "kind: StatefulSet")
    one_pod = {"app": "web", "statefulset.kubernetes.io/pod-name": "web-0"}
    text = stateful + service("web-0", one_pod)
    assert quiet_and_resolved(run_cli, tmp_path, text) == [["StatefulSet web"]]


def test_versions_that_differ_in_digits_are_not_a_typo(run_cli: RunCli, tmp_path: Path) -> None:
    text = deployment("reviews-v1", {"app": "reviews", "version": "v1"})
    text += service("reviews-v3", {"app": "reviews", "version": "v3"})
    code, findings = lint(run_cli, tmp_path, text)
    assert code == 0
    assert rules(findings) == ["RP409"]


# --- pods in another namespace -----------------------------------------------------------


def test_pods_only_in_another_namespace_are_named(run_cli: RunCli, tmp_path: Path) -> None:
    text = deployment("web", {"app": "web"}) + service("web", {"app": "web"}, namespace="shop")
    code, findings = lint(run_cli, tmp_path, text)
    assert code == 0
    (finding,) = findings
    assert (finding["rule"], finding["severity"]) == ("RP408", "warning")
    assert finding["message"].startswith(
        "selector app=web matches no pod template in namespace shop, only Deployment "
        "default/web in namespace default: a Service selects pods of its own namespace only"
    )
    # objects without metadata.namespace take --namespace: then they meet
    assert lint(run_cli, tmp_path, text, "--namespace", "shop", "--fail-on", "info") == (0, [])
    code, findings = lint(run_cli, tmp_path, text, "--namespace", "prod")
    assert "in namespace prod" in findings[0]["message"]


# --- real mistakes stay errors -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "selector", "closest"),
    [
        ("frontend", {"app": "frontned"}, "Deployment frontend, app=frontend not app=frontned"),
        ("storefront", {"app": "frontned"}, "Deployment frontend, app=frontend not app=frontned"),
        ("frontend-svc", {"app": "web"}, "Deployment frontend, app=frontend not app=web"),
    ],
)
def test_a_selector_that_drifted_from_the_workload_made_for_it_stays_an_error(
    run_cli: RunCli, tmp_path: Path, name: str, selector: dict[str, str], closest: str
) -> None:
    text = deployment("frontend", {"app": "frontend"}) + deployment("cart", {"app": "cart"})
    code, findings = lint(run_cli, tmp_path, text + service(name, selector))
    assert code == 1
    (finding,) = findings
    assert (finding["rule"], finding["severity"]) == ("RP401", "error")
    assert finding["message"].endswith(f"(closest: {closest})")


def test_a_typo_against_a_workload_another_service_selects_is_not_proof(
    run_cli: RunCli, tmp_path: Path
) -> None:
    text = deployment("user", {"app": "user"}) + service("user", {"app": "user"})
    code, findings = lint(run_cli, tmp_path, text + service("users", {"app": "users"}))
    assert code == 0
    assert rules(findings) == ["RP409"]


def test_closest_prefers_the_workload_with_the_services_name(
    run_cli: RunCli, tmp_path: Path
) -> None:
    # both share no label with the selector; before, the first in the file won the tie
    text = deployment("aaa", {"app": "aaa"}) + deployment("api", {"app": "api"})
    code, findings = lint(run_cli, tmp_path, text + service("api", {"app": "api-server"}))
    assert code == 1
    (finding,) = findings
    assert finding["rule"] == "RP401"
    assert finding["message"].endswith("(closest: Deployment api, app=api not app=api-server)")


def test_closest_prefers_shared_labels_then_a_similar_name(run_cli: RunCli, tmp_path: Path) -> None:
    text = deployment("zeta", {"app": "shop", "tier": "db"})
    text += deployment("alpha", {"app": "x", "tier": "y"})
    text += deployment("checkout-api", {"app": "x", "tier": "z"})
    text += service("checkout", {"app": "shop", "tier": "web", "team": "pay"})
    _, findings = lint(run_cli, tmp_path, text)
    assert "(closest in the files: Deployment zeta, " in findings[0]["message"]
    text = text.replace("app: shop", "app: x")
    _, findings = lint(run_cli, tmp_path, text.replace("app: x\n    tier: web", "app: q"))
    assert "(closest in the files: Deployment checkout-api, " in findings[0]["message"]


# --- named and numeric target ports -------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "hint"),
    [("htpp", ' (did you mean "http"?)'), ("htp", ' (did you mean "http"?)'), ("grpc", "")],
)
def test_a_named_target_port_no_container_declares_is_an_error_with_a_suggestion(
    run_cli: RunCli, tmp_path: Path, target: str, hint: str
) -> None:
    ports = f"  - port: 80\n    targetPort: {target}\n"
    text = deployment("web", {"app": "web"}) + service("web", {"app": "web"}, ports)
    code, findings = lint(run_cli, tmp_path, text)
    assert code == 1
    (finding,) = findings
    assert (finding["rule"], finding["severity"]) == ("RP402", "error")
    assert finding["message"] == (
        f"Deployment web declares no container port named '{target}'{hint}: its pods get no "
        "endpoint for this port"
    )


EVIDENCE = {
    "http probe": "        readinessProbe:\n          httpGet: {path: /, port: 9000}\n",
    "tcp probe": "        livenessProbe:\n          tcpSocket: {port: 9000}\n",
    "grpc probe": "        startupProbe:\n          grpc: {port: 9000}\n",
    "env PORT": "        env:\n        - {name: PORT, value: '9000'}\n",
    "env address": "        env:\n        - {name: LISTEN, value: '0.0.0.0:9000'}\n",
    "args flag": "        args: [--port=9000]\n",
    "args listen": "        args: [--listen=0.0.0.0:9000]\n",
    "command -p": "        command: [server, -p, '9000']\n",
    "shell line": "        command: [sh, -c, 'exec server --port 9000']\n",
}


@pytest.mark.parametrize("evidence", sorted(EVIDENCE))
def test_an_undeclared_numeric_target_port_the_template_uses_is_quiet(
    run_cli: RunCli, tmp_path: Path, evidence: str
) -> None:
    ports = "  - port: 80\n    targetPort: 9000\n"
    text = deployment("web", {"app": "web"}, EVIDENCE[evidence])
    text += service("web", {"app": "web"}, ports)
    assert quiet_and_resolved(run_cli, tmp_path, text) == [["Deployment web"]]


@pytest.mark.parametrize(
    "container",
    [
        "",
        "        args: [--port=90001, --workers=9000.5]\n",
        "        env:\n        - {name: PORT, value: '8080'}\n",
        "        command: [server, '9000']\n",
    ],
)
def test_an_undeclared_numeric_target_port_without_evidence_stays_a_warning(
    run_cli: RunCli, tmp_path: Path, container: str
) -> None:
    ports = "  - port: 80\n    targetPort: 9000\n"
    text = deployment("web", {"app": "web"}, container) + service("web", {"app": "web"}, ports)
    code, findings = lint(run_cli, tmp_path, text)
    assert code == 0
    assert [(f["rule"], f["severity"]) for f in findings] == [("RP403", "warning")]


def test_the_evidence_is_kept_in_the_result_cache(run_cli: RunCli, tmp_path: Path) -> None:
    ports = "  - port: 80\n    targetPort: 9000\n"
    text = deployment("web", {"app": "web"}, EVIDENCE["args flag"])
    (tmp_path / "app.yaml").write_text(text + service("web", {"app": "web"}, ports))
    args = ("lint", "-v", "--select", "RP4", "--fail-on", "info", tmp_path / "app.yaml")
    cold, warm = run_cli(*args), run_cli(*args)
    assert cached_count(warm.stderr) == (1, 1)
    assert (warm.exit_code, warm.stdout) == (cold.exit_code, cold.stdout) == (0, cold.stdout)
