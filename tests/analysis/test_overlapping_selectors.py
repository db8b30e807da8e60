"""RP307: the indexed pair search finds exactly the pairs a plain all-pairs comparison finds."""

from __future__ import annotations

import json
from pathlib import Path

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
from tests.conftest import RunCli

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


def named_others(message: str) -> list[str]:
    if "overlaps Deployment " in message:
        return [message.split("Deployment ")[1].split("'s")[0]]
    listed = message.split("Deployments ")[1].split(":")[0]
    return listed.replace(" and ", ", ").split(", ")


@settings(max_examples=300)
@given(deployments())
def test_indexed_search_matches_all_pairs(found: list[Deployment]) -> None:
    result = overlapping_selectors([d.claim for d in found], named=len(found))
    reported = {
        frozenset((ref.name, other))
        for ref, violations in result.items()
        for violation in violations
        for other in named_others(violation.message)
    }
    assert reported == all_pairs(found)
    for ref, violations in result.items():
        assert [v.rule_id for v in violations] == ["RP307"], ref


@settings(max_examples=100)
@given(deployments())
def test_one_finding_per_deployment_names_a_few_and_counts_the_rest(
    found: list[Deployment],
) -> None:
    result = overlapping_selectors([d.claim for d in found], named=2)
    pairs = all_pairs(found)
    for ref, (violation,) in result.items():
        partners = sorted(
            other for pair in pairs if ref.name in pair for other in pair - {ref.name}
        )
        names = named_others(violation.message)
        if len(partners) > 2:
            assert names == [*partners[:2], f"{len(partners) - 2} more"]
        else:
            assert names == partners


def test_many_deployments_sharing_a_selector_give_one_finding_each(
    tmp_path: Path, run_cli: RunCli
) -> None:
    documents = [
        f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: web-{index:03}}}
spec:
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec: {{containers: [{{name: web, image: "nginx:1.27"}}]}}
"""
        for index in range(300)
    ]
    (tmp_path / "web.yaml").write_text("---\n".join(documents))
    result = run_cli("lint", "--select", "RP307", "--format", "json", tmp_path)
    findings = json.loads(result.stdout)["findings"]
    assert len(findings) == 300
    assert findings[0]["message"] == (
        "the selector overlaps those of Deployments web-001, web-002, web-003 and 296 more: "
        "these controllers claim the same pods and fight over them"
    )
