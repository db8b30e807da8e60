"""RP407: an object defined twice in one apply unit."""

from __future__ import annotations

from rolloutplan.model.finding import Severity
from rolloutplan.rules.base import RuleInfo, rule_doc

UNIT_RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "RP407",
        "duplicate-object",
        Severity.WARNING,
        "An object is defined twice in files that are applied together.",
        rule_doc(
            "Groups the given files into apply units (the directories that separate copies of "
            "an object, such as `deploy/staging/` and `deploy/prod/`, split them; `units:` in "
            "the config file names them explicitly) and reports each object (same kind, "
            "namespace and name) defined again in the same unit: in one file, or in two files "
            "of one directory. The finding is on the later copy (in path order) and names the "
            "file and line of the one before it.",
            "`kubectl apply` of both files creates the object from the first and then silently "
            "replaces it with the second: whatever the first one says is lost, with no error.",
            "# deploy/web.yaml and deploy/web-v2.yaml\nkind: Deployment\nmetadata:\n"
            "  name: web   # in both files",
            "Keep one definition, rename one of them, or move the variants into separate "
            "directories (one per environment) or list them as separate `units:`.",
        ),
    ),
)
