"""What one pod charges a ResourceQuota (pkg/quota/v1/evaluator/core/pods.go), after the API
server's defaulting and the LimitRanger's Container defaults, and which pods a quota's scopes
select; and the API server's refusal message."""

from __future__ import annotations

from fractions import Fraction

from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.objects import (
    Container,
    LimitRange,
    LimitRangeItem,
    PodTemplate,
    ResourceQuota,
    ScopeRequirement,
)
from rolloutplan.model.quantity import parse_quantity
from rolloutplan.planner.quota import QuotaRoom, exceeded, new_pod_cap, pod_charge, selects

NS = "shop"


def _container(
    name: str, requests: dict[str, str] | None = None, limits: dict[str, str] | None = None
) -> Container:
    return Container(
        name,
        "example.com/app:1",
        requests=tuple((requests or {}).items()),
        limits=tuple((limits or {}).items()),
    )


def _template(*containers: Container, init: tuple[Container, ...] = ()) -> PodTemplate:
    return PodTemplate((("app", "web"),), containers, init)


def _range(name: str, *items: LimitRangeItem) -> LimitRange:
    return LimitRange(ObjectRef("LimitRange", NS, name), items)


def _charge(template: PodTemplate, *ranges: LimitRange) -> dict[str, Fraction]:
    return pod_charge(template, ranges).as_dict


def test_a_pod_charges_the_containers_sum_or_the_largest_init_container() -> None:
    running = (_container("a", {"cpu": "200m"}), _container("b", {"cpu": "300m", "memory": "1Gi"}))
    small = _charge(_template(*running, init=(_container("i", {"cpu": "100m"}),)))
    assert small["requests.cpu"] == small["cpu"] == Fraction(1, 2)
    assert small["requests.memory"] == small["memory"] == 2**30
    big_init = (_container("i1", {"cpu": "800m"}), _container("i2", {"memory": "2Gi"}))
    large = _charge(_template(*running, init=big_init))
    # per resource: the largest init container's, not the init containers' sum
    assert large["requests.cpu"] == Fraction(4, 5)
    assert large["requests.memory"] == 2 * 2**30
    assert large["pods"] == large["count/pods"] == 1


def test_limits_fill_missing_requests_before_the_limit_range_defaults() -> None:
    limited = _container("a", limits={"cpu": "1", "memory": "512Mi"})
    defaults = _range("defaults", LimitRangeItem("Container", (("cpu", "2"),), (("cpu", "250m"),)))
    charge = _charge(_template(limited), defaults)
    assert charge["requests.cpu"] == 1 and charge["limits.cpu"] == 1
    assert charge["requests.memory"] == charge["limits.memory"] == 512 * 2**20


def test_limit_range_defaults_fill_what_is_missing_first_range_first() -> None:
    bare = _container("a", {"memory": "64Mi"})
    first = _range(
        "a-first",
        LimitRangeItem("Pod", (("cpu", "9"),), (("cpu", "9"),)),  # not a Container default
        LimitRangeItem("Container", (("cpu", "1"),), (("cpu", "500m"), ("memory", "1Gi"))),
    )
    second = _range("b-second", LimitRangeItem("Container", (("cpu", "4"),), (("cpu", "2"),)))
    charge = _charge(_template(bare), first, second)
    assert charge["requests.cpu"] == Fraction(1, 2)  # defaultRequest of the first range
    assert charge["limits.cpu"] == 1
    assert charge["requests.memory"] == 64 * 2**20  # set in the manifest: kept
    assert "limits.memory" not in charge


def _quota(*scopes: str, selector: tuple[ScopeRequirement, ...] = ()) -> ResourceQuota:
    return ResourceQuota(
        ObjectRef("ResourceQuota", NS, "q"), (("pods", "5"),), None, scopes, selector
    )


def test_scopes_select_deployment_pods_by_qos_and_never_as_terminating() -> None:
    best_effort = pod_charge(_template(_container("a")))
    burstable = pod_charge(_template(_container("a", {"cpu": "100m"})))
    defaulted = pod_charge(
        _template(_container("a")),
        (_range("d", LimitRangeItem("Container", (), (("memory", "64Mi"),))),),
    )
    assert best_effort.best_effort and not burstable.best_effort
    assert not defaulted.best_effort  # the LimitRange's default makes it Burstable
    assert selects(_quota(), best_effort) is True
    assert selects(_quota("BestEffort"), best_effort) is True
    assert selects(_quota("BestEffort"), burstable) is False
    assert selects(_quota("NotBestEffort", "NotTerminating"), burstable) is True
    assert selects(_quota("Terminating"), burstable) is False
    not_terminating = (ScopeRequirement("Terminating", "DoesNotExist"),)
    assert selects(_quota(selector=not_terminating), burstable) is True
    priority = (ScopeRequirement("PriorityClass", "In", ("high",)),)
    assert selects(_quota(selector=priority), burstable) is None  # not read: unknown


def _room(hard: dict[str, str], other: dict[str, str]) -> QuotaRoom:
    def values(amounts: dict[str, str]) -> tuple[tuple[str, Fraction], ...]:
        return tuple((k, Fraction(parse_quantity(v) or 0)) for k, v in sorted(amounts.items()))

    return QuotaRoom("compute", values(hard), values(other), False)


def test_new_pods_fit_in_what_the_old_pods_and_the_others_leave() -> None:
    charge = {"cpu": Fraction(1, 2), "pods": Fraction(1)}
    room = _room({"cpu": "3", "pods": "10"}, {"cpu": "500m"})
    assert new_pod_cap([room], charge, charge, 3) == 2  # 3 - 0.5 - 1.5 = 1 cpu
    assert new_pod_cap([room], charge, charge, 5) == 0
    assert new_pod_cap([room], charge, charge, 9) == 0  # over: no pod, never negative
    assert new_pod_cap([], charge, charge, 3) > 10**9


def test_the_refusal_names_only_the_resources_it_exceeds() -> None:
    charge = {"cpu": Fraction(1, 2), "memory": Fraction(2**28), "pods": Fraction(1)}
    room = _room({"cpu": "2", "memory": "4Gi", "pods": "4"}, {})
    assert exceeded([room], charge, charge, 4, 0) == (
        "exceeded quota: compute, requested: cpu=500m,pods=1, used: cpu=2,pods=4, "
        "limited: cpu=2,pods=4"
    )
    assert exceeded([room], charge, charge, 2, 1) == ""
