"""RP1xx: the object's shape against the Kubernetes OpenAPI schema of the chosen version."""

from __future__ import annotations

from rolloutplan.model.finding import Severity
from rolloutplan.rules.base import RuleInfo, Yaml, rule_doc

SCHEMA_RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "RP101",
        "schema-violation",
        Severity.ERROR,
        "A field has the wrong type, or a required field is missing.",
        rule_doc(
            "Validates Deployment, ReplicaSet and Service objects against the Kubernetes "
            "OpenAPI schema of `--kubernetes-version` (default: the newest bundled) and reports "
            "wrong types and missing required fields at the field's line and column.",
            "The API server rejects the object when it decodes it: `kubectl apply` fails and "
            "nothing in the object is applied.",
            'ports:\n- containerPort: "80"   # a string, not an integer',
            Yaml("ports:\n- containerPort: 80"),
        ),
    ),
    RuleInfo(
        "RP102",
        "unknown-field",
        Severity.ERROR,
        "A field that the schema does not define (often a typo).",
        rule_doc(
            "Reports fields that the Kubernetes schema of the chosen version does not define, "
            "such as `replica:` for `replicas:` or `contianers:`, and suggests the closest "
            "known field.",
            "kubectl validates strictly by default (since 1.25, `--validate=strict`) and the "
            "API server then rejects unknown fields; with validation off they are silently "
            "dropped, so the setting you wrote never takes effect.",
            "spec:\n  replica: 3",
            Yaml("spec:\n  replicas: 3"),
        ),
    ),
)
