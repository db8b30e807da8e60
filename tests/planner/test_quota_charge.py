"""What one pod charges a ResourceQuota (pkg/quota/v1/evaluator/core/pods.go), after the API
server's defaulting and the LimitRanger's Container defaults, and which pods a quota's scopes
select; and the API server's refusal message."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from rolloutplan.model.cluster import LimitRange, LimitRangeItem, ResourceQuota, ScopeRequirement
from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.objects import Container, PodTemplate
from rolloutplan.model.quantity import canonical, parse_quantity, quantity_format
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


def _sidecar(
    name: str, requests: dict[str, str], limits: dict[str, str] | None = None
) -> Container:
    return replace(_container(name, requests, limits), sidecar=True)


def test_sidecars_add_to_the_containers_and_run_beside_later_init_containers() -> None:
    # by hand: containers 200m + 300m = 500m, sidecars 100m + 150m = 250m run with them:
    # 750m. Init phases: i1 alone 400m; s1 100m; i2 600m beside s1 = 700m; s2 cumulative
    # 250m; i3 450m beside s1 and s2 = 700m. The larger: 750m.
    running = (_container("a", {"cpu": "200m"}), _container("b", {"cpu": "300m"}))
    inits = (
        _container("i1", {"cpu": "400m"}),
        _sidecar("s1", {"cpu": "100m"}),
        _container("i2", {"cpu": "600m"}),
        _sidecar("s2", {"cpu": "150m"}),
        _container("i3", {"cpu": "450m"}),
    )
    assert _charge(_template(*running, init=inits))["requests.cpu"] == Fraction(3, 4)
    # by hand: containers 100m + sidecar 50m = 150m; i2 (1) beside s1 (50m) = 1050m: larger
    heavy = (_sidecar("s1", {"cpu": "50m"}), _container("i2", {"cpu": "1"}))
    charge = _charge(_template(_container("a", {"cpu": "100m"}), init=heavy))
    assert charge["requests.cpu"] == Fraction(21, 20)
    # limits the same way: 256Mi + sidecar 128Mi = 384Mi; i1 (before the sidecar) 300Mi
    limited = (
        _container("i1", limits={"memory": "300Mi"}),
        _sidecar("s1", {}, {"memory": "128Mi"}),
    )
    charge = _charge(_template(_container("a", limits={"memory": "256Mi"}), init=limited))
    assert charge["limits.memory"] == charge["requests.memory"] == 384 * 2**20


def test_a_quota_on_cpu_or_memory_needs_every_container_to_set_it() -> None:
    quota = replace(_quota(), hard=(("limits.cpu", "4"), ("requests.memory", "1Gi"), ("pods", "5")))
    app = _container("app", {"cpu": "100m", "memory": "64Mi"}, {"cpu": "1"})
    bare = _container("log", {"cpu": "50m"})
    init = _container("setup", {"memory": "32Mi"})
    charge = pod_charge(_template(app, bare, init=(init,)))
    # sorted by resource, then container names; "for:" as the API server words it
    assert charge.must_specify(quota) == (
        "failed quota: q: must specify limits.cpu for: log,setup; requests.memory for: log"
    )
    assert pod_charge(_template(app)).must_specify(quota) == ""
    # a LimitRange's defaults count: they fill in what the containers leave out
    defaults = _range("d", LimitRangeItem("Container", (("cpu", "1"),), (("memory", "16Mi"),)))
    assert pod_charge(_template(app, bare, init=(init,)), (defaults,)).must_specify(quota) == ""
    # ephemeral-storage, pods and extended resources never need to be set
    other = replace(_quota(), hard=(("requests.ephemeral-storage", "1Gi"), ("pods", "5")))
    assert charge.must_specify(other) == ""


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
    # the API server reads no operator but PriorityClass's (it refuses any other than
    # Exists for the other scopes): DoesNotExist on Terminating still selects terminating pods
    not_terminating = (ScopeRequirement("Terminating", "DoesNotExist"),)
    assert selects(_quota(selector=not_terminating), burstable) is False
    assert selects(_quota("VolumeAttributesClass"), burstable) is False  # not a pod scope


def _priority(operator: str, *values: str) -> ResourceQuota:
    return _quota(selector=(ScopeRequirement("PriorityClass", operator, values),))


def test_priority_class_scopes_are_label_selectors_on_the_pods_class() -> None:
    high = pod_charge(replace(_template(_container("a")), priority_class_name="high"))
    none = pod_charge(_template(_container("a")))
    cases = [
        (_priority("In", "high", "low"), True, False),
        (_priority("NotIn", "high"), False, True),  # NotIn selects pods without the label
        (_priority("NotIn", "low"), True, True),
        (_priority("Exists"), True, False),
        (_priority("DoesNotExist"), False, True),
        (_quota("PriorityClass"), True, False),  # a scope of the list is Exists
    ]
    for quota, for_high, for_none in cases:
        assert (selects(quota, high), selects(quota, none)) == (for_high, for_none), quota


def test_cross_namespace_affinity_scope() -> None:
    plain = pod_charge(_template(_container("a")))
    cross = pod_charge(replace(_template(_container("a")), cross_namespace_affinity=True))
    quota = _quota("CrossNamespacePodAffinity")
    assert (selects(quota, cross), selects(quota, plain)) == (True, False)


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


def test_a_refusing_quota_leaves_no_room_and_comes_first() -> None:
    charge = {"cpu": Fraction(1, 2), "pods": Fraction(1)}
    exceeding = _room({"cpu": "1"}, {"cpu": "1"})
    refusing = replace(_room({}, {}), name="strict", refusal="failed quota: strict: must specify")
    assert new_pod_cap([exceeding, refusing], charge, charge, 0) == 0
    assert exceeded([exceeding, refusing], charge, charge, 0, 0) == (
        "failed quota: strict: must specify"
    )


def test_quantities_print_as_the_api_server_prints_them() -> None:
    charge = {"memory": Fraction(2**31 + 1), "requests.cpu": Fraction(1, 2), "pods": Fraction(1)}
    room = replace(
        _room({"memory": "2Gi", "requests.cpu": "1"}, {"memory": "1Gi", "requests.cpu": "600m"}),
        forms=(
            ("memory", ("DecimalSI", "BinarySI", "BinarySI")),
            ("requests.cpu", ("DecimalSI", "DecimalSI", "DecimalExponent")),
        ),
    )
    # no %g ("2.14748e+09"): all the digits; binary units only where the value is whole
    assert exceeded([room], charge, charge, 0, 0) == (
        "exceeded quota: compute, requested: memory=2147483649,requests.cpu=500m, "
        "used: memory=1Gi,requests.cpu=600m, limited: memory=2Gi,requests.cpu=1"
    )


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("1500m", "1500m"),
        ("1.5", "1500m"),  # DecimalSI: the largest suffix that keeps the mantissa whole
        ("2000", "2k"),
        ("0.0005", "500u"),
        ("2147483648", "2147483648"),  # decimal, not a power of 1000: all the digits
        ("1.5Gi", "1536Mi"),  # BinarySI: the largest power of 1024 that divides it
        ("1025Ki", "1025Ki"),
        ("0.5Ki", "512"),  # binary below 1024 prints as DecimalSI
        ("2e9", "2e9"),  # DecimalExponent keeps its exponent, a multiple of 3
        ("1.5e3", "1500"),
        ("1000E", "1000000000000000000000"),  # beyond E: all the digits
        ("0", "0"),
    ],
)
def test_canonical_quantities(text: str, printed: str) -> None:
    value = parse_quantity(text)
    assert value is not None
    assert canonical(value, quantity_format(text)) == printed
