"""What the YAML loader must survive and still answer exactly: a broken later document,
a large List of live objects, integers too long for Python's int(), in manifests, in
--previous and in the config file."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from rolloutplan.load import yaml_docs
from tests.conftest import FIXTURES, RunCli

TYPOS = FIXTURES / "bad" / "typo-field.yaml"
DEPLOYMENT = FIXTURES / "plans" / "deployment-nginx-4-replicas.yaml"
HUGE = "1" * 4301  # one digit more than int() takes from a string


def positions(output: str) -> list[str]:
    return [line.split(": ", 1)[0] + " " + line.split()[2] for line in output.splitlines()[:-1]]


@pytest.mark.parametrize(
    ("broken", "rule"),
    [
        ("a: [\n", "RP001"),
        ("a: " + "[" * 300 + "]" * 300 + "\n", "RP009"),
        ("a: !!python/x 1\n", "RP007"),
    ],
)
def test_a_broken_later_document_keeps_earlier_positions_exact(
    run_cli: RunCli, tmp_path: Path, broken: str, rule: str
) -> None:
    path = tmp_path / "later-broken.yaml"
    path.write_text(TYPOS.read_text() + "---\n" + broken)
    result = run_cli("lint", path)
    assert result.exit_code == 1
    *earlier, last = positions(result.stdout)
    assert earlier == [f"{path}:10:3 RP102", f"{path}:38:5 RP101", f"{path}:39:7 RP102"]
    assert last.startswith(f"{path}:4") and last.endswith(f" {rule}")  # line 45 or 46


def live_list(deployments: int) -> str:
    """``kubectl get deploy,rs -o yaml``: a List of Deployments and their ReplicaSets, no
    aliases, each object as the API server returns it (trimmed to keep the test fast)."""
    items = []
    for i in range(deployments):
        labels = f"{{app: app-{i}}}"
        template = (
            f"{{metadata: {{labels: {labels}}}, spec: {{containers: [{{name: app, "
            f"image: 'registry.example.com/app-{i}:1.2.3', ports: [{{containerPort: 8080, "
            f"protocol: TCP}}], resources: {{requests: {{cpu: 100m, memory: 128Mi}}}}}}], "
            f"restartPolicy: Always, terminationGracePeriodSeconds: 30}}}}"
        )
        items.append(
            f"- {{apiVersion: apps/v1, kind: Deployment, metadata: {{name: app-{i}, "
            f"namespace: prod, uid: d-{i}}}, spec: {{replicas: 3, selector: {{matchLabels: "
            f"{labels}}}, template: {template}}}, status: {{availableReplicas: 3, replicas: 3}}}}"
        )
        items.append(
            f"- {{apiVersion: apps/v1, kind: ReplicaSet, metadata: {{name: app-{i}-5d8f9c7b6, "
            f"namespace: prod, ownerReferences: [{{apiVersion: apps/v1, kind: Deployment, "
            f"name: app-{i}, uid: d-{i}, controller: true}}]}}, spec: {{replicas: 3, "
            f"selector: {{matchLabels: {labels}}}, template: {template}}}, "
            f"status: {{availableReplicas: 3, replicas: 3}}}}"
        )
    return "apiVersion: v1\nkind: List\nitems:\n" + "\n".join(items) + "\n"


def config_maps(count: int, keys: int) -> str:
    data = ", ".join(f"key{k}: value{k}" for k in range(keys))
    return "\n".join(
        f"- {{apiVersion: v1, kind: ConfigMap, metadata: {{name: cm-{c}, namespace: prod}}, "
        f"data: {{{data}}}}}"
        for c in range(count)
    )


@pytest.fixture
def without_gc() -> Iterator[None]:
    """As the ``rolloutplan`` command runs (entry_point): a third of the time on large input."""
    gc.disable()
    yield
    gc.enable()


def test_kubectl_get_deploy_rs_cm_can_be_planned(run_cli: RunCli, without_gc: None) -> None:
    # live objects and not one alias, but more values than the alias budget: the old budget
    # counted every value and refused this as an alias bomb
    text = live_list(20) + config_maps(40, 2600)
    assert yaml_docs.MAX_EXPANDED_NODES < 40 * 2600 * 2  # data keys and values alone
    result = run_cli("plan", "--format", "json", "-", stdin=text)
    document = json.loads(result.stdout)
    assert [f["rule"] for f in document["findings"] if f["rule"].startswith("RP0")] == []
    assert document["summary"]["checked"] == {"Deployment": 20, "ReplicaSet": 20}
    assert len(document["plans"]) == 20


def test_5000_live_deployments_and_their_replica_sets_load(without_gc: None) -> None:
    loaded = yaml_docs.load_documents(live_list(5000))  # about 700,000 values, no alias
    assert loaded.problems == ()
    assert len(loaded.documents[0].data["items"]) == 10_000


def test_alias_bombs_are_still_refused(run_cli: RunCli) -> None:
    result = run_cli("lint", FIXTURES / "bad" / "billion-laughs.yaml")
    assert " RP008 " in result.stdout
    many = "a: &a [" + ", ".join(["x"] * 1000) + "]\nb: [" + ", ".join(["*a"] * 300) + "]\n"
    assert [p.rule_id for p in yaml_docs.load_documents(many).problems] == ["RP008"]


def test_aliased_scalars_still_count() -> None:
    text = "a: &a x\nb: [" + ", ".join(["*a"] * (yaml_docs.MAX_EXPANDED_NODES + 1)) + "]\n"
    assert [p.rule_id for p in yaml_docs.load_documents(text).problems] == ["RP008"]


@pytest.mark.parametrize("number", [HUGE, "-" + HUGE, "0x" + "f" * 5000, HUGE + ".5", "1e400"])
def test_a_number_too_long_is_a_finding_not_an_internal_error(
    run_cli: RunCli, tmp_path: Path, number: str
) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(DEPLOYMENT.read_text().replace("replicas: 4", f"replicas: {number}"))
    result = run_cli("plan", path)
    assert result.exit_code == 1
    assert "RP000" not in result.stdout
    assert f"{path}:9:13: error RP101 spec.replicas: " in result.stdout  # a string, as in Go


def test_a_number_too_long_in_previous_is_no_traceback(run_cli: RunCli, tmp_path: Path) -> None:
    previous = tmp_path / "previous.yaml"
    previous.write_text(DEPLOYMENT.read_text().replace("replicas: 4", f"replicas: {HUGE}"))
    for command in ("lint", "plan", "check"):
        result = run_cli(command, "--previous", previous, DEPLOYMENT)
        assert result.exit_code == 0, command
        assert "RP000" not in result.stdout
        assert " RP301 " in result.stdout  # the current file's findings are all there


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (".rolloutplan.yaml", f"fail-on: {HUGE}\n"),
        ("pyproject.toml", f"[tool.rolloutplan]\nnamespace = {HUGE}\n"),
    ],
)
def test_a_number_too_long_in_the_config_is_a_usage_error(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, content: str
) -> None:
    (tmp_path / name).write_text(content)
    monkeypatch.chdir(tmp_path)
    result = run_cli("lint", DEPLOYMENT)
    assert result.exit_code == 2
    assert f"{tmp_path / name}: " in result.stderr
