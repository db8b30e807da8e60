"""RP0xx: reading files and documents, before any schema applies."""

from __future__ import annotations

from rolloutplan.model.finding import Severity
from rolloutplan.rules.base import RuleInfo, Yaml, rule_doc

E = Severity.ERROR


LOADING_RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "RP000",
        "internal-error",
        E,
        "rolloutplan itself failed on this file.",
        rule_doc(
            "Reports a file on which rolloutplan hit an unexpected error of its own. The other "
            "files are still checked.",
            "The file was not fully checked, so its problems may be missing from the report.",
            "(any input that triggers a bug)",
            "Report the message and the file to the rolloutplan maintainers.",
        ),
    ),
    RuleInfo(
        "RP001",
        "yaml-syntax-error",
        E,
        "The file is not valid YAML or JSON.",
        rule_doc(
            "Reports a YAML or JSON syntax error at the line and column where the parser stopped.",
            "kubectl cannot decode the file, so nothing in it is applied. Documents after the "
            "error are not read.",
            "spec:\n  selector: {matchLabels: {app: web}\n  replicas: 3",
            "Fix the syntax at the reported position (here, close the flow mapping with `}`).",
        ),
    ),
    RuleInfo(
        "RP002",
        "duplicate-key",
        E,
        "A mapping repeats a key.",
        rule_doc(
            "Reports a key that appears twice in the same mapping.",
            "Kubernetes decodes manifests strictly and rejects duplicate fields; other tools "
            "silently keep one of the two values, so what you review is not what is applied.",
            "spec:\n  replicas: 3\n  replicas: 5",
            "Keep one of the keys.",
        ),
    ),
    RuleInfo(
        "RP003",
        "invalid-encoding",
        E,
        "The file is binary or not UTF-8.",
        rule_doc(
            "Reports a file that contains NUL bytes or bytes that are not valid UTF-8.",
            "Kubernetes manifests are UTF-8 text; the API machinery cannot decode anything else.",
            "labels:\n  team: caf\\xe9   # Latin-1 byte, not UTF-8",
            "Save the file as UTF-8, or remove the binary file from the manifest paths.",
        ),
    ),
    RuleInfo(
        "RP004",
        "document-not-mapping",
        E,
        "A document is a list or a scalar, not an object.",
        rule_doc(
            "Reports a YAML document (or a `kind: List` item) that is not a mapping.",
            "Every Kubernetes object is a mapping with apiVersion, kind and metadata; kubectl "
            "rejects anything else.",
            "- apiVersion: apps/v1\n  kind: Deployment",
            "Make the document a mapping; to put several objects in one file, separate them "
            "with `---` or use `kind: List` with `items:`.",
        ),
    ),
    RuleInfo(
        "RP005",
        "missing-kind",
        E,
        "An object has no kind.",
        rule_doc(
            "Reports an object without a string `kind`. A document with neither `kind` nor "
            "`apiVersion` is not a Kubernetes object (a docker-compose file, a CI config): "
            "it is skipped and counted in the summary, unless `--strict-kinds`.",
            "kubectl fails with \"Object 'Kind' is missing\"; nothing can tell what the object is.",
            "apiVersion: apps/v1\nmetadata:\n  name: web",
            "Add `kind:`, for example `kind: Deployment`.",
        ),
    ),
    RuleInfo(
        "RP006",
        "missing-api-version",
        E,
        "An object has no apiVersion.",
        rule_doc(
            "Reports an object without a string `apiVersion`. A document with neither "
            "`apiVersion` nor `kind` is skipped as not a Kubernetes object, unless "
            "`--strict-kinds`.",
            "The API server cannot pick a schema or an endpoint without it; kubectl rejects it.",
            "kind: Deployment\nmetadata:\n  name: web",
            "Add `apiVersion:`, for example `apiVersion: apps/v1`.",
        ),
    ),
    RuleInfo(
        "RP007",
        "unsafe-yaml-tag",
        E,
        "A document uses a YAML tag Kubernetes does not know.",
        rule_doc(
            "Reports tags outside YAML's core set, such as `!!python/object` or `!Ref`. "
            "The tagged value is never constructed.",
            "Such tags are at best meaningless to Kubernetes and at worst an attempt to run code "
            "in tools that construct them.",
            'metadata:\n  name: !!python/object/apply:os.system ["id"]',
            "Remove the tag; write plain strings, numbers, booleans, lists and mappings.",
        ),
    ),
    RuleInfo(
        "RP008",
        "alias-bomb",
        E,
        "Aliases expand a document beyond a safe size.",
        rule_doc(
            "Reports a document whose anchors and aliases expand to more than 200,000 values "
            '(a "billion laughs" document). Reasonable alias use is accepted.',
            "Anything that walks the expanded document (validation, kubectl, the API server) "
            "needs memory and time exponential in the nesting of aliases.",
            "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]   # ... and so on",
            "Write the values out, or use fewer levels of aliases.",
        ),
    ),
    RuleInfo(
        "RP009",
        "nesting-too-deep",
        E,
        "A document nests more than 200 levels deep.",
        rule_doc(
            "Reports a document nested more than 200 levels deep; it is not read further.",
            "No Kubernetes object nests anywhere near that deep; such input is an attack on "
            "recursive parsers, not a manifest.",
            "spec: [[[[[[[[[[ ... ]]]]]]]]]]",
            "Flatten the data.",
        ),
    ),
    RuleInfo(
        "RP010",
        "unknown-kind",
        E,
        "A kind that rolloutplan does not check (--strict-kinds).",
        rule_doc(
            "With `--strict-kinds`, reports objects whose kind is not Deployment, ReplicaSet or "
            "Service (and documents that are not Kubernetes objects are RP005/RP006). Without "
            "it they are counted as skipped in the summary.",
            "In a repository that should only hold workloads and Services, another kind is "
            "often a mistake (a misspelt kind, or a file that belongs elsewhere).",
            "apiVersion: v1\nkind: Deploymnet",
            "Fix the kind, or drop `--strict-kinds` if other kinds belong here.",
        ),
    ),
    RuleInfo(
        "RP011",
        "no-objects",
        E,
        "A file holds no Kubernetes objects (--strict-kinds).",
        rule_doc(
            "With `--strict-kinds`, reports a file that is empty or holds only comments and "
            "empty documents. Without it such a file is skipped, as kubeconform and "
            "kube-linter do: a manifest directory also holds placeholders and files whose "
            "objects were all commented out.",
            '`kubectl apply -f` on such a file fails with "no objects passed to apply"; in a '
            "manifest directory it is usually a file emptied by mistake.",
            "# TODO: add the Deployment\n---",
            "Add the manifest, or delete the file.",
        ),
    ),
    RuleInfo(
        "RP012",
        "unreadable-path",
        E,
        "A path given on the command line cannot be read.",
        rule_doc(
            "Reports a path that does not exist, cannot be read, or is a directory with no "
            "`*.yaml`, `*.yml` or `*.json` files. The run exits with code 2.",
            "A manifest that was meant to be checked was not.",
            "rolloutplan lint deploy/web.yml   # the file is deploy/web.yaml",
            "Fix the path.",
        ),
    ),
    RuleInfo(
        "RP013",
        "unsupported-api-version",
        E,
        "A kind rolloutplan checks uses an apiVersion no supported cluster serves.",
        rule_doc(
            "Reports Deployment or ReplicaSet objects not in `apps/v1`; Services, "
            "ResourceQuotas and LimitRanges not in `v1`; HorizontalPodAutoscalers not in "
            "`autoscaling/v2` (`autoscaling/v1`, still served, is skipped unchecked); and "
            "PodDisruptionBudgets not in `policy/v1`. `extensions/v1beta1`, `apps/v1beta1` "
            "and `apps/v1beta2` were removed in Kubernetes 1.16, `policy/v1beta1` and "
            "`autoscaling/v2beta1` in 1.25, `autoscaling/v2beta2` in 1.26.",
            'The API server answers "no matches for kind"; the object is never created.',
            "apiVersion: extensions/v1beta1\nkind: Deployment",
            "Use `apiVersion: apps/v1` (and add the `spec.selector` it requires).",
        ),
    ),
    RuleInfo(
        "RP014",
        "invalid-suppression",
        Severity.WARNING,
        "A rolloutplan.io/ignore-* annotation names no rule or gives no reason.",
        rule_doc(
            'Checks the waiver annotations `rolloutplan.io/ignore-<rule-name>: "<reason>"`: '
            "the rule must exist and the reason must not be empty. A malformed waiver waives "
            "nothing.",
            "A waiver without a reason hides a finding with no record of why; a misspelt rule "
            "name silently waives nothing.",
            'metadata:\n  annotations:\n    rolloutplan.io/ignore-unknown-feild: "set by a '
            'mutating webhook"',
            Yaml(
                'metadata:\n  annotations:\n    rolloutplan.io/ignore-unknown-field: "set by a '
                'mutating webhook"'
            ),
        ),
    ),
)
