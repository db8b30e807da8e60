"""The Service index finds every Service that selects a pod's labels, in input order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rolloutplan.analysis.endpoints import ServiceIndex
from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.objects import Labels, Service

pairs = st.tuples(st.sampled_from(["app", "tier", "team"]), st.sampled_from(["a", "b", "c"]))
label_sets = st.lists(pairs, max_size=4, unique_by=lambda pair: pair[0]).map(tuple)
namespaces = st.sampled_from(["default", "shop"])


@st.composite
def services(draw: st.DrawFn) -> list[tuple[str, Service]]:
    found = []
    for number in range(draw(st.integers(min_value=0, max_value=12))):
        selector = draw(st.one_of(st.none(), label_sets))
        ref = ObjectRef("Service", draw(namespaces), f"s{number}")
        found.append((f"f{number % 3}.yaml", Service(ref, selector=selector)))
    return found


def selects(service: Service, labels: Labels) -> bool:
    return bool(service.selector) and set(service.selector) <= set(labels)


@given(services(), namespaces, label_sets, label_sets)
def test_candidates_hold_every_selecting_service_in_order(
    placed: list[tuple[str, Service]], namespace: str, old: Labels, new: Labels
) -> None:
    wanted = [
        (path, s)
        for path, s in placed
        if s.ref.namespace == namespace and (selects(s, old) or selects(s, new))
    ]
    found = ServiceIndex(placed).candidates(namespace, old, new)
    assert [p for p in found if selects(p[1], old) or selects(p[1], new)] == wanted
    assert all(p[1].ref.namespace == namespace and p[1].selector for p in found)
