"""Messages people act on (issue 12, item 6): each says what happens and what to do, shows
values as they were written, and counts in words that agree with the number."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rolloutplan.analysis.naming import plural
from rolloutplan.validate.apiserver.flow import LIMIT, flow
from tests.conftest import FIXTURES, RunCli

DROP = FIXTURES / "rules" / "endpoints-drop-to-zero" / "fail-one-replica.yaml"
IMMUTABLE = FIXTURES / "rules" / "immutable-field"


def lines_of(output: str, rule: str) -> list[str]:
    return [line for line in output.splitlines() if f" {rule} " in line]


def deployment(
    labels: str = "app: web", replicas: int = 2, image: str = "example.com/web:1.4.2"
) -> str:
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{{labels}}}
    spec:
      containers:
      - name: app
        image: {image}
        readinessProbe:
          httpGet: {{path: /, port: 8080}}
"""


SERVICE = """\
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {selector}
  ports:
  - port: 80
    targetPort: 8080
"""


# --- RP312: a whole sentence, with what to change ---------------------------------------


def test_rp312_says_why_and_what_to_change(run_cli: RunCli) -> None:
    result = run_cli("plan", "-q", DROP)
    [line] = lines_of(result.stdout, "RP312")
    assert not line.split(" [Deployment")[0].endswith(": the rollout")
    assert (
        "from step 2 to step 3 (1 wave x start-up): the rollout takes down every old pod it "
        "selects before a new one is ready, so requests to it fail meanwhile (use "
        "maxUnavailable: 0 with a maxSurge of 1 or more, or run more replicas)"
    ) in line


def test_rp312_for_good_says_until_when(run_cli: RunCli) -> None:
    result = run_cli("plan", "-q", "--new-pods", "never-ready", DROP)
    [line] = lines_of(result.stdout, "RP312")
    assert "from step 2 on, for good: the rollout takes down every old pod" in line
    assert (
        "the new pods never become ready, so requests to it fail until the rollout is undone"
        in line
    )


def test_rp312_service_selecting_only_the_new_pods(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "before.yaml").write_text(deployment("app: web, v: '1'"))
    changed = deployment("app: web, v: '2'", image="example.com/web:1.4.3")
    (tmp_path / "web.yaml").write_text(changed + SERVICE.format(selector="{app: web, v: '2'}"))
    result = run_cli("plan", "-q", "--previous", tmp_path / "before.yaml", tmp_path / "web.yaml")
    [line] = lines_of(result.stdout, "RP312")
    assert "it selects only the new pods (the old ones lack its labels)" in line
    assert "(select only labels old and new pods share until the rollout completes)" in line


def test_rp312_not_for_a_deployment_scaled_to_zero(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "zero.yaml"
    path.write_text(DROP.read_text().replace("replicas: 1", "replicas: 0"))
    result = run_cli("plan", "-q", path)
    assert lines_of(result.stdout, "RP312") == []


# --- RP205: old -> new as YAML ----------------------------------------------------------


def test_rp205_shows_the_change_as_yaml(run_cli: RunCli) -> None:
    previous = IMMUTABLE / "fail-deployment-selector.previous.yaml"
    result = run_cli(
        "lint", "-q", "--previous", previous, IMMUTABLE / "fail-deployment-selector.yaml"
    )
    [line] = lines_of(result.stdout, "RP205")
    assert (
        "spec.selector: field is immutable, the update changes matchLabels: {app: web} -> "
        "{app: web, tier: frontend}"
    ) in line
    assert "{'" not in line


def test_rp205_long_and_hidden_values_are_shortened_and_escaped(
    run_cli: RunCli, tmp_path: Path
) -> None:
    service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  uid: {uid}\n"
    service += "spec:\n  ports: [{{port: 80}}]\n"
    (tmp_path / "old.yaml").write_text(service.format(uid='"' + "a" * 5000 + '"'))
    (tmp_path / "new.yaml").write_text(service.format(uid='"b\\e[31m"'))
    result = run_cli("lint", "-q", "--previous", tmp_path / "old.yaml", tmp_path / "new.yaml")
    [line] = lines_of(result.stdout, "RP205")
    assert "\x1b" not in line and '"b\\x1b[31m"' in line
    assert " " + "a" * 37 + "... -> " in line
    assert len(line) < 400


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(), lambda inner: (
    st.lists(inner, max_size=30) | st.dictionaries(st.text(max_size=50), inner, max_size=30)
), max_leaves=200))  # fmt: skip
def test_flow_values_stay_short(value: object) -> None:
    shown = flow(value)
    assert len(shown) <= LIMIT
    if len(repr(value)) < LIMIT // 3:  # small values are shown whole
        assert "..." not in shown or "..." in repr(value)


# --- RP101: what YAML read, and how to keep a string ------------------------------------

VALUES = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    version: 1.10
    enabled: on
    mode: 0755
    hex: 0x1F
    v: 2
  annotations:
    reviewed: no
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: example.com/web:1.4.2
        env:
        - {name: A, value: 1.10}
"""


def test_rp101_says_what_yaml_read_and_suggests_quotes(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "web.yaml"
    path.write_text(VALUES)
    out = "\n".join(lines_of(run_cli("lint", "-q", path).stdout, "RP101"))
    wanted = [
        'labels.version: {} 1.10 as the number 1.1: quote it ("1.10")',
        'labels.enabled: {} on as the boolean true: quote it ("on")',
        'labels.mode: {} 0755 as the octal number 493: quote it ("0755")',
        "labels.hex: {} 0x1F as the hexadecimal number 31",
        'labels.v: {} 2 as a number: quote it ("2")',
        'annotations.reviewed: {} no as the boolean false: quote it ("no")',
        'env[0].value: {} 1.10 as the number 1.1: quote it ("1.10")',
    ]
    for text in wanted:
        assert text.format("a string is wanted, but YAML reads") in out
    assert "is not of type 'string'" not in out


def test_rp101_without_a_plain_spelling_still_suggests_quotes(
    run_cli: RunCli, tmp_path: Path
) -> None:
    path = tmp_path / "tagged.yaml"
    path.write_text(VALUES.replace("version: 1.10", "version: !!float 2"))
    out = "\n".join(lines_of(run_cli("lint", "-q", path).stdout, "RP101"))
    assert (
        "labels.version: a string is wanted, but YAML reads this value as the number 2.0: quote it"
        in out
    )


def test_rp101_does_not_repeat_a_long_number_it_read(run_cli: RunCli, tmp_path: Path) -> None:
    # the hint quotes what was written, twice: a value of 10,000 digits must not make a
    # message of 20,000 characters
    path = tmp_path / "long.yaml"
    path.write_text(VALUES.replace("version: 1.10", f"version: 0{'0' * 10_000}17"))
    (line,) = [
        line
        for line in lines_of(run_cli("lint", "-q", path).stdout, "RP101")
        if ".version:" in line
    ]
    assert "a string is wanted, but YAML reads this value as the number 15: quote it" in line
    assert "0" * 50 not in line


def test_rp101_quotes_only_what_reads_as_the_value(run_cli: RunCli, tmp_path: Path) -> None:
    # "Yes" and "1_0" read as true and 10; a value met through an alias is shown as written
    text = VALUES.replace("enabled: on", "enabled: &on Yes").replace("v: 2", "v: 1_0")
    path = tmp_path / "web.yaml"
    path.write_text(text.replace("reviewed: no", "reviewed: *on"))
    out = "\n".join(lines_of(run_cli("lint", "-q", path).stdout, "RP101"))
    assert (
        'labels.v: a string is wanted, but YAML reads 1_0 as the number 10: quote it ("1_0")' in out
    )
    assert (
        "annotations.reviewed: a string is wanted, but YAML reads this value as the boolean true"
        in out
    )


# --- counts agree with their nouns ------------------------------------------------------


def test_plan_of_one_replica_counts_in_the_singular(run_cli: RunCli) -> None:
    out = run_cli("plan", DROP).stdout
    assert "at most 1 pod, at least 0 available" in out
    assert "complete: 1 new pod available" in out
    assert not re.search(r"\b1 (pods|replicas|new pods)\b", out)


def test_bare_replica_set_of_one_pod(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "rs.yaml"
    path.write_text(
        deployment()
        .replace("kind: Deployment", "kind: ReplicaSet")
        .replace("replicas: 2", "replicas: 1")
    )
    text = run_cli("plan", path).stdout
    assert "the existing pod keeps the old template until it is deleted." in text
    markdown = run_cli("plan", "--format", "markdown", path).stdout
    assert "Its pod keeps the old template until it is deleted." in markdown


def test_rounding_to_zero_of_one_replica(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "web.yaml"
    path.write_text(
        deployment(replicas=1)
        + "  strategy:\n    rollingUpdate: {maxSurge: 0, maxUnavailable: 25%}\n"
    )
    out = run_cli("lint", "-q", path).stdout
    assert "maxUnavailable 25% of 1 replica rounds down to 0" in out


@pytest.mark.parametrize(("count", "text"), [(0, "0 pods"), (1, "1 pod"), (2, "2 pods")])
def test_plural(count: int, text: str) -> None:
    assert plural(count, "pod") == text


# --- trafficDistribution follows --kubernetes-version ----------------------------------

TRAFFIC = """\
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  trafficDistribution: {value}
  ports: [{{port: 80}}]
"""


@pytest.mark.parametrize("version", ["1.30", "1.33"])
def test_prefer_same_zone_is_not_offered_before_1_34(
    run_cli: RunCli, tmp_path: Path, version: str
) -> None:
    path = tmp_path / "svc.yaml"
    path.write_text(
        TRAFFIC.format(name="close", value="PreferClose")
        + "---\n"
        + TRAFFIC.format(name="zone", value="PreferSameZone")
    )
    result = run_cli("lint", "-q", "--fail-on", "info", "--kubernetes-version", version, path)
    assert lines_of(result.stdout, "RP292") == []  # nothing to move PreferClose to
    [line] = lines_of(result.stdout, "RP273")
    assert '"PreferSameZone": supported values: "PreferClose"' in line
    assert "(PreferSameZone needs Kubernetes 1.34)" in line
    assert "[Service default/zone]" in line


@pytest.mark.parametrize("version", ["1.34", None])
def test_prefer_close_is_deprecated_from_1_34(
    run_cli: RunCli, tmp_path: Path, version: str | None
) -> None:
    path = tmp_path / "svc.yaml"
    path.write_text(TRAFFIC.format(name="close", value="PreferClose"))
    options = ["--kubernetes-version", version] if version else []
    result = run_cli("lint", "-q", "--fail-on", "info", *options, path)
    [line] = lines_of(result.stdout, "RP292")
    assert '"PreferClose" is deprecated; use "PreferSameZone"' in line
