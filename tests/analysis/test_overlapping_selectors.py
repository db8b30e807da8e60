"""RP307: the indexed pair search finds exactly the pairs a plain all-pairs comparison finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rolloutplan.analysis.risks import overlapping_selectors
from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.objects import (
    Deployment,
    DeploymentStrategy,
    LabelSelector,
    PodTemplate,
    SelectorOperator,
    SelectorRequirement,
)

KEYS = st.sampled_from(["app", "tier", "track"])
VALUES = st.sampled_from(["web", "api", "canary"])
LABELS = st.dictionaries(KEYS, VALUES, max_size=3).map(lambda d: tuple(sorted(d.items())))
REQUIREMENTS = st.builds(
    SelectorRequirement,
    KEYS,
    st.sampled_from(list(SelectorOperator)),
    st.lists(VALUES, max_size=2).map(tuple),
)
SELECTORS = st.builds(LabelSelector, LABELS, st.lists(REQUIREMENTS, max_size=2).map(tuple))


@st.composite
def deployments(draw: st.DrawFn) -> list[Deployment]:
    count = draw(st.integers(0, 8))
    return [
        Deployment(
            ObjectRef("Deployment", draw(st.sampled_from(["a", "b"])), f"d{index}"),
            1,
            draw(SELECTORS),
            PodTemplate(draw(LABELS), ()),
            DeploymentStrategy(),
        )
        for index in range(count)
    ]


def all_pairs(found: list[Deployment]) -> set[frozenset[str]]:
    expected = set()
    for first in found:
        for second in found:
            same_namespace = first.ref.namespace == second.ref.namespace
            selects = first.selector.matches(second.template.labels)
            if first.ref != second.ref and same_namespace and selects:
                expected.add(frozenset((first.ref.name, second.ref.name)))
    return expected


@settings(max_examples=300)
@given(deployments())
def test_indexed_search_matches_all_pairs(found: list[Deployment]) -> None:
    result = overlapping_selectors([d.claim for d in found])
    reported = {
        frozenset((ref.name, violation.message.split("Deployment ")[1].split("'s")[0]))
        for ref, violations in result.items()
        for violation in violations
    }
    assert reported == all_pairs(found)
    for ref, violations in result.items():
        assert all(v.rule_id == "RP307" for v in violations), ref
