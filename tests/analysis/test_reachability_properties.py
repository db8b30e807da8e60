"""Properties of Service reachability over generated Services and pod sources."""

from __future__ import annotations

from random import Random

from hypothesis import given
from hypothesis import strategies as st

from rolloutplan.analysis.reachability import analyse
from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.objects import ContainerPort, PodSource, Service, ServicePort

NAMES = ("web", "api", "frontend", "frontned", "web-svc", "main", "v1", "v2")
KEYS = ("app", "tier", "version", "app.kubernetes.io/name")
NAMESPACES = ("default", "shop")

labels = st.dictionaries(st.sampled_from(KEYS), st.sampled_from(NAMES), min_size=1, max_size=3)


@st.composite
def pod_sources(draw: st.DrawFn) -> list[PodSource]:
    refs = draw(
        st.lists(
            st.tuples(
                st.sampled_from(("Deployment", "StatefulSet", "Alertmanager")),
                st.sampled_from(NAMESPACES),
                st.sampled_from(NAMES),
            ),
            unique=True,
            max_size=6,
        )
    )
    return [
        PodSource(
            ObjectRef(kind, namespace, name),
            tuple(sorted(draw(labels).items())),
            (ContainerPort(8080, "http"),),
            complete=kind != "Alertmanager",
            mentioned_ports=tuple(draw(st.sets(st.sampled_from((80, 9000))))),
        )
        for kind, namespace, name in refs
    ]


@st.composite
def services(draw: st.DrawFn) -> list[Service]:
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, min_size=1, max_size=4))
    return [
        Service(
            ObjectRef("Service", draw(st.sampled_from(NAMESPACES)), name),
            selector=tuple(sorted(draw(labels).items())),
            ports=(ServicePort(80, draw(st.sampled_from((80, 9000, "http", "htpp")))),),
        )
        for name in names
    ]


@given(services(), pod_sources(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_the_order_of_the_sources(
    given_services: list[Service], sources: list[PodSource], random: Random
) -> None:
    shuffled = list(sources)
    random.shuffle(shuffled)
    assert analyse(given_services, shuffled) == analyse(given_services, sources)


@given(services(), pod_sources())
def test_an_error_always_names_a_workload_whose_labels_contradict_the_selector(
    given_services: list[Service], sources: list[PodSource]
) -> None:
    for reach in analyse(given_services, sources):
        for violation in reach.violations:
            if violation.rule_id != "RP401":
                continue
            selector = dict(reach.service.selector or ())
            namespace = reach.service.ref.namespace
            assert not any(
                pod.ref.namespace == namespace
                and not pod.complete
                and not any(dict(pod.labels).get(k, v) != v for k, v in selector.items())
                and (set(selector.items()) & set(pod.labels) or pod.ref.name in selector.values())
                for pod in sources
            ), "a custom resource that could make the pods leaves no room for an error"
            closest = violation.message.rsplit("(closest: ", 1)[1].split(",")[0]
            kind, name = closest.split(" ")
            (pod,) = [p for p in sources if p.ref == ObjectRef(kind, namespace, name)]
            assert any(dict(pod.labels).get(k, v) != v for k, v in selector.items())
