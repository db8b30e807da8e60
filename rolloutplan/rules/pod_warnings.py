"""RP239-RP248: what the API server accepts in a pod template but answers with a warning,
which kubectl prints as ``Warning: <field>: <message>``."""

from __future__ import annotations

from rolloutplan.model.finding import Severity
from rolloutplan.rules.base import RuleInfo, rule_doc

W = Severity.WARNING
SERVER = "The API server accepts the object and prints a warning (`Warning: {}`)"


def _fix(text: str, yaml: str) -> str:
    return f"{text}\n\n```yaml\n{yaml}\n```"


POD_WARNING_RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "RP239",
        "deprecated-node-label",
        W,
        "A pod template schedules on a deprecated node label (beta.kubernetes.io/os, ...).",
        rule_doc(
            "Warns when `nodeSelector`, a node affinity `matchExpressions` key (required or "
            "preferred) or a `topologySpreadConstraints` topologyKey names a node label that "
            "Kubernetes deprecated: `beta.kubernetes.io/os` and `beta.kubernetes.io/arch` "
            "(since v1.14), `failure-domain.beta.kubernetes.io/zone`, "
            "`failure-domain.beta.kubernetes.io/region` and `beta.kubernetes.io/instance-type` "
            "(since v1.17), `node-role.kubernetes.io/master` (use "
            "`node-role.kubernetes.io/control-plane`), `app.kubernetes.io/created-by` and "
            "`scheduler.alpha.kubernetes.io/preferAvoidPods`. Tolerations and `matchFields` "
            "are not checked, as the server does not check them.",
            SERVER.format(
                "... nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; "
                'use "kubernetes.io/os" instead'
            )
            + ". Nodes may stop carrying the old labels: on such nodes a pod that selects "
            "one is never scheduled, and a spread over one counts no domain.",
            "nodeSelector:\n  beta.kubernetes.io/os: linux",
            _fix(
                "Use the GA label: `kubernetes.io/os`, `kubernetes.io/arch`, "
                "`topology.kubernetes.io/zone`, `topology.kubernetes.io/region`, "
                "`node.kubernetes.io/instance-type`, `node-role.kubernetes.io/control-plane`.",
                "nodeSelector:\n  kubernetes.io/os: linux",
            ),
        ),
    ),
    RuleInfo(
        "RP240",
        "duplicate-container-port",
        W,
        "Two container ports of a pod declare the same containerPort and protocol.",
        rule_doc(
            "Warns when two entries of `ports`, in one container or across the pod's "
            "containers, have the same `containerPort` and `protocol` (names do not matter): "
            "a duplicate (same hostIP and no hostPort), an overlap (one has a hostPort, the "
            "other not), or an ambiguity (the same hostPort, on one hostIP and on every "
            "address). Also warns on a `hostIP` without `hostPort`, which does nothing. Two "
            "entries equal down to a non-zero hostPort are an error instead (RP221).",
            SERVER.format(
                "... containers[0].ports[1]: duplicate port definition with "
                "spec.template.spec.containers[0].ports[0]"
            )
            + ". The pod's containers share one network namespace, so only one of them can "
            "listen on the port: the entries say the same thing twice, or one is a mistake "
            "(a copied entry whose number was not changed).",
            "ports:\n- name: http\n  containerPort: 8080\n- name: metrics\n  containerPort: 8080",
            _fix("Declare each port once.", "ports:\n- name: http\n  containerPort: 8080"),
        ),
    ),
    RuleInfo(
        "RP241",
        "null-label-selector",
        W,
        "A topology spread constraint or pod (anti-)affinity term has no labelSelector.",
        rule_doc(
            "Warns on a `topologySpreadConstraints` entry, or a `podAffinity` / "
            "`podAntiAffinity` term (required or preferred), without `labelSelector`.",
            SERVER.format("...: a null labelSelector results in matching no pod")
            + ". The term counts no pods: a spread constraint spreads nothing, an "
            "anti-affinity keeps nothing apart, and a required affinity can never be met.",
            "topologySpreadConstraints:\n- maxSkew: 1\n  topologyKey: topology.kubernetes.io/zone"
            "\n  whenUnsatisfiable: DoNotSchedule",
            _fix(
                "Select the pods the term is about, usually the pod's own labels.",
                "topologySpreadConstraints:\n- maxSkew: 1\n"
                "  topologyKey: topology.kubernetes.io/zone\n"
                "  whenUnsatisfiable: DoNotSchedule\n  labelSelector:\n"
                "    matchLabels:\n      app: web",
            ),
        ),
    ),
    RuleInfo(
        "RP242",
        "deprecated-pod-annotation",
        W,
        "A pod template annotation that a field replaced, and that no longer works.",
        rule_doc(
            "Warns on template annotations the API server calls deprecated: "
            "`scheduler.alpha.kubernetes.io/critical-pod` (use `priorityClassName`), "
            "`security.alpha.kubernetes.io/sysctls` and `unsafe-sysctls` (use "
            "`securityContext.sysctls`), `seccomp.security.alpha.kubernetes.io/pod` and "
            "`container.seccomp.security.alpha.kubernetes.io/<container>` without the "
            "`seccompProfile` field, and `container.apparmor.security.beta.kubernetes.io/"
            "<container>` without an `appArmorProfile` field.",
            SERVER.format(
                "...annotations[seccomp.security.alpha.kubernetes.io/pod]: "
                'non-functional in v1.27+; use the "seccompProfile" field instead'
            )
            + ". The annotation is ignored: the pod runs without the protection or priority "
            "it asks for.",
            "metadata:\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: "
            "runtime/default",
            _fix(
                "Use the field.",
                "spec:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault",
            ),
        ),
    ),
    RuleInfo(
        "RP243",
        "deprecated-volume-plugin",
        W,
        "A volume uses an in-tree plugin that is deprecated or no longer works.",
        rule_doc(
            "Warns on volumes of type `gitRepo` (deprecated in v1.11), `photonPersistentDisk`, "
            "`scaleIO`, `flocker`, `storageos`, `quobyte`, `glusterfs`, `cephfs` and `rbd`, "
            "with the version from which each no longer works.",
            SERVER.format("...volumes[0].glusterfs: deprecated in v1.25, non-functional in v1.26+")
            + ". Pods that mount a non-functional volume never start.",
            "volumes:\n- name: src\n  gitRepo:\n    repository: https://example.com/app.git",
            _fix(
                "Use the storage's CSI driver; for `gitRepo`, clone in an init container into "
                "an `emptyDir`.",
                "initContainers:\n- name: clone\n  image: alpine/git:2.45.2\n"
                "  args: [clone, https://example.com/app.git, /src]\n"
                "  volumeMounts:\n  - name: src\n    mountPath: /src\nvolumes:\n- name: src\n"
                "  emptyDir: {}",
            ),
        ),
    ),
    RuleInfo(
        "RP244",
        "duplicate-env-var",
        W,
        "A container's env lists a name twice, and the later entry hides the earlier one.",
        rule_doc(
            "Warns when an `env` entry repeats an earlier name, unless it extends it: a plain "
            "`value` that contains `$(NAME)` and is more than that.",
            SERVER.format(
                '...env[2]: hides previous definition of "LOG_LEVEL", which may be '
                "dropped when using apply"
            )
            + ". The container sees only the last value, and `kubectl apply` merges env by "
            "name, so a later apply may drop one of the entries.",
            "env:\n- name: LOG_LEVEL\n  value: info\n- name: LOG_LEVEL\n  value: debug",
            _fix("Keep one entry for each name.", "env:\n- name: LOG_LEVEL\n  value: debug"),
        ),
    ),
    RuleInfo(
        "RP245",
        "fractional-byte-quantity",
        W,
        "A memory or ephemeral-storage request or limit that is not a whole number of bytes.",
        rule_doc(
            "Warns on `memory` and `ephemeral-storage` in a container's `requests` or "
            "`limits` (and the pod's `overhead`) whose value is a fraction of a byte, "
            "such as `100m` (0.1 byte: `m` is milli) or `1.5`.",
            SERVER.format(
                '...resources.requests[memory]: fractional byte value "100m" is '
                "invalid, must be an integer"
            )
            + ". It is almost always a typo for `Mi` or `M`, and a request of a fraction of a "
            "byte reserves nothing.",
            "resources:\n  requests:\n    memory: 100m",
            _fix(
                "Write bytes with a binary or decimal suffix.",
                "resources:\n  requests:\n    memory: 100Mi",
            ),
        ),
    ),
    RuleInfo(
        "RP246",
        "duplicate-host-alias-ip",
        W,
        "Two hostAliases entries have the same ip.",
        rule_doc(
            "Warns on a `hostAliases` entry whose `ip` an earlier entry already has.",
            SERVER.format('...hostAliases[1].ip: duplicate ip "10.0.0.5"')
            + ". Both entries end up in the pod's /etc/hosts, and `kubectl apply` merges the "
            "list by ip, so a later apply may drop hostnames.",
            "hostAliases:\n- ip: 10.0.0.5\n  hostnames: [db]\n- ip: 10.0.0.5\n  hostnames: [cache]",
            _fix(
                "List every hostname of an ip in one entry.",
                "hostAliases:\n- ip: 10.0.0.5\n  hostnames: [db, cache]",
            ),
        ),
    ),
    RuleInfo(
        "RP247",
        "image-pull-secret-name",
        W,
        "An imagePullSecrets entry is listed twice, or has no name.",
        rule_doc(
            "Warns on an `imagePullSecrets` entry with the same `name` as an earlier one, or "
            "with an empty name.",
            SERVER.format('...imagePullSecrets[1].name: duplicate name "registry"')
            + '; an empty name gets `invalid empty name ""`. An entry without a name refers '
            "to no Secret, so images from a private registry may fail to pull.",
            "imagePullSecrets:\n- name: registry\n- name: registry\n- {}",
            _fix("Name each Secret once.", "imagePullSecrets:\n- name: registry"),
        ),
    ),
    RuleInfo(
        "RP248",
        "negative-grace-period",
        W,
        "terminationGracePeriodSeconds is negative.",
        rule_doc(
            "Warns on a negative `terminationGracePeriodSeconds` in a pod template.",
            SERVER.format(
                "...terminationGracePeriodSeconds: must be >= 0; negative values "
                "are invalid and will be treated as 1"
            )
            + ". Pods get one second to shut down: in-flight requests are cut off.",
            "spec:\n  terminationGracePeriodSeconds: -1",
            _fix(
                "Give pods the time they need to stop.",
                "spec:\n  terminationGracePeriodSeconds: 30",
            ),
        ),
    ),
)
