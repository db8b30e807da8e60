"""RP201-RP205: object metadata, for every kind (the API server's ValidateObjectMeta);
RP238: an update whose previous version cannot be compared with."""

from __future__ import annotations

from rolloutplan.model.finding import Severity
from rolloutplan.rules.base import RuleInfo, Yaml, rule_doc

E = Severity.ERROR
W = Severity.WARNING

METADATA_RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "RP201",
        "invalid-name",
        E,
        "The object's name is missing or not a valid name for its kind.",
        rule_doc(
            "Checks `metadata.name` (or `generateName`): Deployments and ReplicaSets need a "
            "DNS-1123 subdomain (lower case letters, digits, `-` and `.`, at most 253 "
            "characters); Services need a DNS-1035 label (at most 63 characters, starting with a "
            "letter, no dots), because the name becomes a DNS name.",
            "The API server rejects the object: `metadata.name: Invalid value`.",
            "kind: Service\nmetadata:\n  name: 2fast   # starts with a digit",
            "Use a name such as `fast-2`.",
        ),
    ),
    RuleInfo(
        "RP202",
        "invalid-namespace",
        E,
        "metadata.namespace is not a valid namespace name.",
        rule_doc(
            "Checks that `metadata.namespace`, when set, is a DNS-1123 label (lower case letters, "
            "digits and `-`, at most 63 characters). A manifest without one takes the namespace "
            "of the kubectl context (`--namespace` here).",
            "The API server rejects the object.",
            "metadata:\n  namespace: Team_A",
            Yaml("metadata:\n  namespace: team-a"),
        ),
    ),
    RuleInfo(
        "RP203",
        "invalid-label",
        E,
        "A label key or value is not valid.",
        rule_doc(
            "Checks label keys (an optional DNS subdomain prefix and `/`, then at most 63 "
            "letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit) and "
            "values (empty, or at most 63 such characters), in `metadata.labels`, the pod "
            "template's labels and `matchLabels`.",
            "The API server rejects the object; selectors built on such labels cannot match.",
            "metadata:\n  labels:\n    app: my app   # a space",
            Yaml("metadata:\n  labels:\n    app: my-app"),
        ),
    ),
    RuleInfo(
        "RP204",
        "invalid-annotation",
        E,
        "An annotation key is not valid, or annotations are too large.",
        rule_doc(
            "Checks annotation keys (the label-key rule, case-insensitive) and the total size of "
            "all annotations (keys plus values at most 256 KiB).",
            "The API server rejects the object. Large annotations usually come from "
            "`kubectl apply`'s last-applied-configuration of a huge object.",
            "metadata:\n  annotations:\n    'team name': platform",
            Yaml("metadata:\n  annotations:\n    example.com/team-name: platform"),
        ),
    ),
    RuleInfo(
        "RP205",
        "immutable-field",
        E,
        "An update changes a field the API server never lets change.",
        rule_doc(
            "With `--previous` (the manifests as they are in the cluster), reports changes to "
            "immutable fields: `metadata.name` and `namespace`, a Deployment's or ReplicaSet's "
            "`spec.selector`, a Service's `clusterIP`, and the like.",
            "`kubectl apply` fails with `field is immutable`; the change never reaches the "
            "cluster. Changing a Deployment's selector needs a new Deployment.",
            "# previous: selector {app: web}\n"
            "spec:\n  selector:\n    matchLabels:\n      app: web2",
            "Keep the field as it is, or delete and recreate the object (with a new name, to "
            "roll over without downtime).",
        ),
    ),
    RuleInfo(
        "RP238",
        "previous-version-invalid",
        W,
        "The previous version of an object is not valid, so the update is not checked.",
        rule_doc(
            "With `--previous` or `check --base`, reports an object whose previous version "
            "fails the Kubernetes schema (a wrong-typed field, a template placeholder such as "
            "`${NODE_PORT}`). The object is then checked as new: the update checks (immutable "
            "fields) are skipped, and the message names the previous file, line and problem.",
            "The cluster only ever holds valid objects, so that file is not what is running; "
            "rolloutplan cannot tell whether the update changes an immutable field, which "
            "`kubectl apply` would refuse.",
            "# previous: spec.ports[0].nodePort: ${NODE_PORT}\n"
            "spec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 30080",
            "Compare with manifests as they are applied (rendered, with placeholders filled "
            "in), or with the live objects (`kubectl get -o yaml`).",
        ),
    ),
)
