"""Typed objects built from the seed manifests carry the API server's defaults."""

from __future__ import annotations

import pytest

from rolloutplan import engine
from rolloutplan.model.finding import ObjectRef, Severity
from rolloutplan.model.objects import (
    Deployment,
    DeploymentStrategy,
    IntOrPercent,
    LabelSelector,
    ReplicaSet,
    SelectorOperator,
    SelectorRequirement,
    Service,
    ServicePort,
    StrategyType,
)
from rolloutplan.model.source import SourceText
from rolloutplan.validate.schemas import newest_version
from tests.conftest import FIXTURES

SEED = FIXTURES / "seed"


def objects_of(*names: str) -> tuple[object, ...]:
    sources = [SourceText(str(SEED / n), (SEED / n).read_bytes()) for n in names]
    report = engine.run(sources, engine.Config(newest_version()))
    assert [f for f in report.findings if f.severity is Severity.ERROR] == []
    return report.objects


def test_default_deployment_gets_rolling_update_25_percent_and_defaults() -> None:
    (deployment,) = objects_of("deployment-nginx.yaml")
    assert isinstance(deployment, Deployment)
    assert deployment.ref == ObjectRef("Deployment", "default", "nginx-deployment")
    assert deployment.replicas == 3
    assert deployment.strategy == DeploymentStrategy(
        StrategyType.ROLLING_UPDATE, IntOrPercent(25, True), IntOrPercent(25, True)
    )
    assert (deployment.min_ready_seconds, deployment.revision_history_limit) == (0, 10)
    assert (deployment.progress_deadline_seconds, deployment.paused) == (600, False)
    assert deployment.selector == LabelSelector(match_labels=(("app", "nginx"),))
    (container,) = deployment.template.containers
    assert (container.name, container.image) == ("nginx", "nginx:1.24.0")
    assert [p.container_port for p in container.ports] == [80]
    assert deployment.template.termination_grace_period_seconds == 30


def test_tuned_and_recreate_strategies() -> None:
    (tuned,) = objects_of("deployment-nginx-rollingupdate.yaml")
    assert tuned.strategy.max_surge == IntOrPercent(1)
    assert tuned.strategy.max_unavailable == IntOrPercent(0)
    (recreate,) = objects_of("deployment-nginx-recreate.yaml")
    assert recreate.replicas == 10
    assert recreate.strategy == DeploymentStrategy(StrategyType.RECREATE, None, None)
    assert recreate.template.containers[0].has_pre_stop


def test_replica_set_and_services() -> None:
    (replica_set,) = objects_of("replicaset-httpserver.yaml")
    assert isinstance(replica_set, ReplicaSet)
    assert replica_set.replicas == 3
    (node_port,) = objects_of("service-nodeport.yaml")
    assert isinstance(node_port, Service)
    assert node_port.type == "NodePort"
    assert node_port.selector == (("app", "hello-server"),)
    assert node_port.ports == (ServicePort(8080, 8080, None, "TCP", 30080),)
    (external,) = objects_of("service-externalname.yaml")
    assert (external.type, external.selector, external.ports) == ("ExternalName", None, ())
    assert external.external_name == "db.example.com"


def test_service_target_port_defaults_to_port() -> None:
    (service,) = objects_of("service-loadbalancer.yaml")
    assert [(p.port, p.target_port) for p in service.ports] == [(80, 8080)]


@pytest.mark.parametrize(
    ("raw", "surge", "unavailable"),
    [("25%", 1, 0), (1, 1, 1), ("100%", 3, 3), ("0%", 0, 0), ("50%", 2, 1)],
)
def test_int_or_percent_scales_up_for_surge_and_down_for_unavailable(
    raw: int | str, surge: int, unavailable: int
) -> None:
    value = IntOrPercent.parse(raw)
    assert value.scaled(3, round_up=True) == surge
    assert value.scaled(3, round_up=False) == unavailable


@pytest.mark.parametrize("raw", ["25", "%", "1.5%", "abc", "25 %x"])
def test_int_or_percent_rejects_other_strings(raw: str) -> None:
    with pytest.raises(ValueError, match="neither an integer nor a percentage"):
        IntOrPercent.parse(raw)


def test_label_selector_match_expressions() -> None:
    selector = LabelSelector(
        match_labels=(("app", "web"),),
        match_expressions=(
            SelectorRequirement("tier", SelectorOperator.IN, ("front", "edge")),
            SelectorRequirement("canary", SelectorOperator.DOES_NOT_EXIST),
        ),
    )
    assert selector.matches((("app", "web"), ("tier", "front")))
    assert not selector.matches((("app", "web"), ("tier", "back")))
    assert not selector.matches((("app", "web"), ("tier", "front"), ("canary", "1")))
    assert not selector.matches((("tier", "front"),))
    assert LabelSelector().matches(())
    not_in = SelectorRequirement("tier", SelectorOperator.NOT_IN, ("back",))
    assert not_in.matches({}) and not not_in.matches({"tier": "back"})
    assert SelectorRequirement("x", SelectorOperator.EXISTS).matches({"x": ""})
