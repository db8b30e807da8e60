"""Rule metadata and the registry that indexes it by id and by name."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from rolloutplan.model.finding import Severity

RULE_ID = re.compile(r"RP\d{3}\Z")
RULE_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")
DOC_SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")


@dataclass(frozen=True, slots=True)
class Yaml:
    """A fix written as YAML: shown as a fenced block, so that Markdown (docs/rules.md, SARIF
    ``help.markdown``) keeps its lines and indentation instead of joining them into one."""

    text: str


def rule_doc(what: str, why: str, example: str, fix: str | Yaml) -> str:
    """A rule's documentation in its fixed sections; ``example`` is YAML, ``fix`` is prose
    or ``Yaml``."""
    use = f"```yaml\n{fix.text}\n```" if isinstance(fix, Yaml) else fix
    return (
        f"## What it does\n{what}\n\n## Why is this bad?\n{why}\n\n"
        f"## Example\n```yaml\n{example}\n```\n\n## Use instead\n{use}\n"
    )


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """A rule: its id, name, default severity, one-line summary and documentation."""

    id: str
    name: str
    severity: Severity
    summary: str
    doc: str

    def __post_init__(self) -> None:
        if not RULE_ID.match(self.id):
            raise ValueError(f"rule id {self.id!r} is not RP + three digits")
        if not RULE_NAME.match(self.name):
            raise ValueError(f"rule name {self.name!r} is not kebab-case")
        missing = [section for section in DOC_SECTIONS if section not in self.doc]
        if missing:
            raise ValueError(f"rule {self.id} doc lacks {', '.join(missing)}")


@dataclass(frozen=True, slots=True)
class Registry:
    """Every rule, by id and by name."""

    by_id: Mapping[str, RuleInfo]
    by_name: Mapping[str, RuleInfo]

    @classmethod
    def build(cls, rules: Iterable[RuleInfo]) -> Registry:
        by_id: dict[str, RuleInfo] = {}
        by_name: dict[str, RuleInfo] = {}
        for rule in rules:
            if rule.id in by_id or rule.name in by_name:
                raise ValueError(f"duplicate rule {rule.id} {rule.name}")
            by_id[rule.id] = rule
            by_name[rule.name] = rule
        return cls(MappingProxyType(dict(sorted(by_id.items()))), MappingProxyType(by_name))

    def __iter__(self) -> Iterator[RuleInfo]:
        return iter(self.by_id.values())

    def get(self, id_or_name: str) -> RuleInfo | None:
        return self.by_id.get(id_or_name.upper()) or self.by_name.get(id_or_name.lower())

    def severity(self, rule_id: str) -> Severity:
        return self.by_id[rule_id].severity
