"""RP206-RP249: Deployment, ReplicaSet and pod template, as the API server defaults and
validates them (apps and core validation)."""

from __future__ import annotations

from rolloutplan.model.finding import Severity
from rolloutplan.rules.base import RuleInfo, Yaml, rule_doc

E = Severity.ERROR
W = Severity.WARNING

_WORKLOAD: tuple[RuleInfo, ...] = (
    RuleInfo(
        "RP206",
        "selector-required",
        E,
        "spec.selector is missing, null or empty.",
        rule_doc(
            "Checks that a Deployment or ReplicaSet has a `spec.selector` with at least one "
            "`matchLabels` entry or `matchExpressions` requirement. In `apps/v1` the selector "
            "is never filled in from the template labels (only the old `extensions/v1beta1` "
            "API did that).",
            "The API server rejects the object: `spec.selector: Required value`, or `Invalid "
            "value: empty selector is invalid for deployment`. A selector written as `selector:` "
            "with nothing under it is `null`, which counts as missing.",
            "spec:\n  selector:\n  template:\n    metadata:\n      labels:\n        app: web",
            Yaml("spec:\n  selector:\n    matchLabels:\n      app: web"),
        ),
    ),
    RuleInfo(
        "RP207",
        "invalid-selector",
        E,
        "A matchExpressions requirement is malformed, so the selector cannot be built.",
        rule_doc(
            "Checks each `matchExpressions` requirement of `spec.selector` (those of affinity "
            "and topology spread selectors belong to invalid-scheduling): the operator is "
            "`In`, `NotIn`, `Exists` or `DoesNotExist`; "
            "`In`/`NotIn` have values, `Exists`/`DoesNotExist` have none; the key is a label "
            "key and the values label values. When the selector cannot be built (also for a "
            "bad `matchLabels` key or value, reported by invalid-label) the server adds "
            "`spec.selector: Invalid value: invalid label selector`.",
            "The API server rejects the object, and it then skips every check of the pod "
            "template: the template's own errors only show up once the selector is fixed.",
            "selector:\n  matchExpressions:\n  - key: tier\n    operator: in   # case matters\n"
            "    values: [web]",
            Yaml(
                "selector:\n  matchExpressions:\n  - key: tier\n    operator: In\n    values: [web]"
            ),
        ),
    ),
    RuleInfo(
        "RP208",
        "selector-template-mismatch",
        E,
        "The selector does not select the pod template's labels.",
        rule_doc(
            "Checks that `spec.selector` (matchLabels and matchExpressions) matches "
            "`spec.template.metadata.labels`. A missing selector matches nothing, so it also "
            "triggers this rule.",
            "The API server rejects the object: `spec.template.metadata.labels: Invalid value: "
            "selector does not match template labels`. Such a controller could never count the "
            "pods it creates and would create them forever.",
            "selector:\n  matchLabels:\n    app: web\ntemplate:\n  metadata:\n    labels:\n"
            "      app: frontend",
            "Give the template every label the selector requires (`app: web`).",
        ),
    ),
    RuleInfo(
        "RP209",
        "negative-value",
        E,
        "replicas, minReadySeconds, revisionHistoryLimit or progressDeadlineSeconds is negative.",
        rule_doc(
            "Checks that `spec.replicas`, `spec.minReadySeconds`, and for a Deployment "
            "`spec.revisionHistoryLimit` and `spec.progressDeadlineSeconds`, are not negative "
            "(0 is allowed for all of them).",
            "The API server rejects the object: `Invalid value: -1: must be greater than or "
            "equal to 0`.",
            "spec:\n  replicas: -1",
            Yaml("spec:\n  replicas: 0   # scale to zero"),
        ),
    ),
    RuleInfo(
        "RP210",
        "progress-deadline-too-short",
        E,
        "progressDeadlineSeconds is not greater than minReadySeconds.",
        rule_doc(
            "Checks that a Deployment's `spec.progressDeadlineSeconds` is greater than "
            "`spec.minReadySeconds`. The deadline defaults to 600, so `minReadySeconds: 600` "
            "or more without a deadline is refused too.",
            "The API server rejects the Deployment: `spec.progressDeadlineSeconds: Invalid "
            "value: must be greater than minReadySeconds`. A deadline shorter than the time a "
            "pod must stay ready would report every rollout as failed.",
            "spec:\n  minReadySeconds: 900   # progressDeadlineSeconds defaults to 600",
            Yaml("spec:\n  minReadySeconds: 900\n  progressDeadlineSeconds: 1800"),
        ),
    ),
    RuleInfo(
        "RP211",
        "invalid-strategy",
        E,
        "spec.strategy has an unknown type, or Recreate with rollingUpdate.",
        rule_doc(
            "Checks that a Deployment's `spec.strategy.type` is `RollingUpdate` (the default) or "
            "`Recreate`, and that a `Recreate` strategy has no `rollingUpdate` block, not even "
            "an empty one.",
            "The API server rejects the Deployment: `spec.strategy: Unsupported value` (the "
            "server reports the strategy, not its type), or `spec.strategy.rollingUpdate: "
            "Forbidden: may not be specified when strategy type is 'Recreate'`.",
            "strategy:\n  type: Recreate\n  rollingUpdate:\n    maxSurge: 1",
            Yaml("strategy:\n  type: Recreate"),
        ),
    ),
    RuleInfo(
        "RP212",
        "invalid-rolling-update",
        E,
        "maxSurge or maxUnavailable is malformed, above 100%, or both are zero.",
        rule_doc(
            "Checks `spec.strategy.rollingUpdate`: each of `maxSurge` and `maxUnavailable` is "
            'a non-negative integer or a percentage string (`"25%"`; a quoted number such as '
            '`"5"`, `"5.5%"` or `"-1%"` is not one); `maxUnavailable` is at most 100%; and '
            "they are not both zero. Missing values default to 25%. maxSurge has no upper "
            "bound.",
            "The API server rejects the Deployment. With both bounds at zero a rollout could "
            "neither add a pod nor remove one.",
            'rollingUpdate:\n  maxSurge: 0\n  maxUnavailable: "0%"',
            Yaml("rollingUpdate:\n  maxSurge: 1\n  maxUnavailable: 0"),
        ),
    ),
    RuleInfo(
        "RP213",
        "unavailable-rounds-to-zero",
        W,
        "maxSurge is 0 and the maxUnavailable percentage rounds down to 0 pods.",
        rule_doc(
            "Resolves the rolling-update bounds against `spec.replicas` as the controller "
            "does (maxSurge rounds up, maxUnavailable down) and warns when both come to 0 "
            "although they are not written as 0, e.g. `maxSurge: 0` and `maxUnavailable: 10%` "
            "with 3 replicas.",
            "The API server accepts it, but the controller cannot make progress with 0 and 0, "
            "so it silently uses maxUnavailable 1: one pod is taken down at a time, more than "
            "the percentage suggests (with 1 replica: the only pod, an outage).",
            "replicas: 3\nstrategy:\n  rollingUpdate:\n    maxSurge: 0\n    maxUnavailable: 10%",
            "Say what you mean: `maxUnavailable: 1` (one pod down at a time), or allow a surge "
            "(`maxSurge: 1`, `maxUnavailable: 0`) to keep full capacity during the rollout.",
        ),
    ),
    RuleInfo(
        "RP214",
        "restart-policy-not-always",
        E,
        "The pod template's restartPolicy is not Always.",
        rule_doc(
            "Checks that `spec.template.spec.restartPolicy` is `Always` (the default) in a "
            "Deployment or ReplicaSet.",
            'The API server rejects the object: `Unsupported value: "Never": supported '
            'values: "Always"`. A controller keeps its pods running; for run-to-completion '
            "work use a Job.",
            "template:\n  spec:\n    restartPolicy: OnFailure",
            "Remove `restartPolicy` (it defaults to `Always`), or use a Job.",
        ),
    ),
    RuleInfo(
        "RP215",
        "forbidden-in-template",
        E,
        "activeDeadlineSeconds or ephemeralContainers in a Deployment's or ReplicaSet's pods.",
        rule_doc(
            "Reports `spec.template.spec.activeDeadlineSeconds` and "
            "`spec.template.spec.ephemeralContainers`, which pod templates may not carry.",
            "The API server rejects the object: `Forbidden: activeDeadlineSeconds in "
            "ReplicaSet is not Supported` (the message says ReplicaSet for a Deployment too) or "
            "`Forbidden: ephemeral containers not allowed in pod template`. Ephemeral "
            "containers are only added to running pods, with `kubectl debug`.",
            "template:\n  spec:\n    activeDeadlineSeconds: 3600",
            "Remove the field; bound run time with a Job's `activeDeadlineSeconds` instead.",
        ),
    ),
    RuleInfo(
        "RP216",
        "no-containers",
        E,
        "The pod template has no containers.",
        rule_doc(
            "Checks that `spec.template.spec.containers` has at least one container.",
            "The API server rejects the object: `spec.template.spec.containers: Required value`.",
            "template:\n  spec:\n    containers: []",
            Yaml("template:\n  spec:\n    containers:\n    - name: web\n      image: nginx:1.27"),
        ),
    ),
    RuleInfo(
        "RP217",
        "invalid-container-name",
        E,
        "A container name is missing, not a DNS label, or used twice.",
        rule_doc(
            "Checks each container and init container `name`: present, a DNS-1123 label "
            "(lower case letters, digits and `-`, at most 63 characters, no dots), and unique "
            "across the regular and init containers of the pod.",
            "The API server rejects the object (`Required value`, `Invalid value`, or "
            "`Duplicate value` at the second container).",
            "containers:\n- name: web\n  image: nginx:1.27\n- name: web\n  image: envoy:v1.31",
            Yaml(
                "containers:\n- name: web\n  image: nginx:1.27\n- name: proxy\n  image: envoy:v1.31"
            ),
        ),
    ),
    RuleInfo(
        "RP218",
        "missing-image",
        E,
        "A container has no image.",
        rule_doc(
            "Checks that each container and init container sets `image` to a non-empty string.",
            "The API server rejects the object: `image: Required value`. This is usually an "
            'unrendered template variable (`image: "{{ .Values.image }}"` rendered empty).',
            'containers:\n- name: web\n  image: ""',
            Yaml("containers:\n- name: web\n  image: registry.example.com/web:1.4.2"),
        ),
    ),
    RuleInfo(
        "RP219",
        "invalid-container-port",
        E,
        "A container port number or protocol is invalid.",
        rule_doc(
            "Checks each entry of a container's `ports`: `containerPort` is set and between 1 "
            "and 65535, a `hostPort` other than 0 is in that range too, and `protocol` is "
            "exactly `TCP`, `UDP` or `SCTP` (case matters; it defaults to TCP). With "
            "`hostNetwork: true`, a `hostPort` other than 0 must equal the `containerPort`.",
            "The API server rejects the object.",
            "ports:\n- containerPort: 8080\n  protocol: tcp",
            Yaml("ports:\n- containerPort: 8080\n  protocol: TCP"),
        ),
    ),
    RuleInfo(
        "RP220",
        "invalid-port-name",
        E,
        "A container port name is not a valid port name, or is used twice in a container.",
        rule_doc(
            "Checks container port `name`s: an IANA service name (at most 15 characters, "
            "lower case letters, digits and `-`, at least one letter, no `--`, no leading or "
            "trailing `-`), unique within the container. Two different containers may use the "
            "same name.",
            "The API server rejects the object. Port names are what Services' `targetPort` and "
            "probes refer to, and a long name such as `metrics-endpoint` (16 characters) is a "
            "common surprise.",
            "ports:\n- name: http.metrics\n  containerPort: 9090",
            Yaml("ports:\n- name: metrics\n  containerPort: 9090"),
        ),
    ),
    RuleInfo(
        "RP221",
        "duplicate-host-port",
        E,
        "Two container ports use the same hostPort, protocol and hostIP.",
        rule_doc(
            "Checks that no two ports of the pod's containers claim the same `hostPort` with "
            "the same `protocol` and `hostIP` (init containers are checked one at a time, as "
            "they run one after another).",
            "The API server rejects the object: `hostPort: Duplicate value`. One node port can "
            "only be bound once.",
            "containers:\n- name: a\n  ports:\n  - {containerPort: 80, hostPort: 8080}\n"
            "- name: b\n  ports:\n  - {containerPort: 81, hostPort: 8080}",
            "Give each a different `hostPort`, or drop `hostPort` and use a Service.",
        ),
    ),
    RuleInfo(
        "RP222",
        "invalid-probe",
        E,
        "A liveness, readiness or startup probe is malformed.",
        rule_doc(
            "Checks each probe: exactly one of `exec`, `httpGet`, `tcpSocket` or `grpc`; an "
            "`exec` with a command; an `httpGet`/`tcpSocket` port that is a number from 1 to "
            "65535 or a port name; a `grpc` port number; HTTP header names of letters, digits "
            "and `-`; no negative delays, timeouts, periods or thresholds; "
            "`successThreshold` exactly 1 for liveness and startup probes; a "
            "`terminationGracePeriodSeconds` above 0, and none at all on a readiness probe. "
            "Zero counters are fine: the server defaults them (timeout 1, period 10, success "
            "1, failure 3).",
            "The API server rejects the object.",
            "livenessProbe:\n  httpGet:\n    path: /healthz\n    port: 8080\n  successThreshold: 2",
            Yaml(
                "livenessProbe:\n  httpGet:\n    path: /healthz\n    port: 8080\n"
                "  failureThreshold: 3"
            ),
        ),
    ),
    RuleInfo(
        "RP223",
        "probe-port-not-declared",
        W,
        "A probe or lifecycle hook uses a port name the container does not declare.",
        rule_doc(
            "Warns when an `httpGet` or `tcpSocket` probe or lifecycle hook names its port "
            "(`port: http`) and the container has no `ports` entry of that name.",
            "The API server accepts the manifest (it does not cross-check names), but the "
            "kubelet cannot resolve the name: a liveness probe then fails and restarts the "
            "container in a loop, a readiness probe never passes and the rollout stalls.",
            "ports:\n- name: web\n  containerPort: 8080\nreadinessProbe:\n  httpGet:\n"
            "    path: /ready\n    port: http",
            "Use the declared name (`port: web`) or the number (`port: 8080`).",
        ),
    ),
    RuleInfo(
        "RP224",
        "invalid-lifecycle-hook",
        E,
        "A postStart or preStop hook is malformed.",
        rule_doc(
            "Checks `lifecycle.postStart` and `lifecycle.preStop`: exactly one of `exec`, "
            "`httpGet`, `tcpSocket` or `sleep`; an `exec` with a command; valid ports; and a "
            "`sleep` of at most the pod's `terminationGracePeriodSeconds` (30 by default).",
            "The API server rejects the object, e.g. `lifecycle.preStop: Required value: must "
            "specify a handler type`.",
            "lifecycle:\n  preStop:\n    sleep:\n      seconds: 60   # grace period is 30",
            Yaml(
                "terminationGracePeriodSeconds: 75\n...\nlifecycle:\n  preStop:\n    sleep:\n"
                "      seconds: 60"
            ),
        ),
    ),
    RuleInfo(
        "RP225",
        "invalid-env",
        E,
        "An environment variable or envFrom source is invalid.",
        rule_doc(
            "Checks `env`: names present (any printable ASCII but `=` from Kubernetes 1.32, "
            "letters, digits, `_`, `-`, `.` not starting with a digit before); `valueFrom` "
            "with exactly one source and no `value` beside it; `fieldRef` paths the downward "
            "API supports (`metadata.name`, `status.podIP`, `metadata.labels['app']`, ...); "
            "`resourceFieldRef` resources and divisors; ConfigMap and Secret key references "
            "with a valid name and key. Checks `envFrom`: exactly one of `configMapRef` or "
            "`secretRef` with a valid name, and a valid `prefix`.",
            "The API server rejects the object.",
            "env:\n- name: PHASE\n  valueFrom:\n    fieldRef:\n      fieldPath: status.phase",
            Yaml(
                "env:\n- name: POD_NAME\n  valueFrom:\n    fieldRef:\n"
                "      fieldPath: metadata.name"
            ),
        ),
    ),
    RuleInfo(
        "RP226",
        "invalid-resources",
        E,
        "A resource name or quantity is invalid, or a request exceeds its limit.",
        rule_doc(
            "Checks container (and pod-level) `resources`: resource names a container may "
            "request (`cpu`, `memory`, `ephemeral-storage`, `hugepages-<size>`, or a "
            "domain-qualified extended resource), quantities that parse and are not "
            "negative, whole numbers for extended resources, requests not above limits (equal "
            "for hugepages and extended resources, which also need a limit), hugepages only "
            "with cpu or memory; and `resizePolicy` entries.",
            "The API server rejects the object, e.g. `resources.requests: Invalid value: "
            '"2": must be less than or equal to cpu limit of 1`.',
            'resources:\n  requests:\n    cpu: "2"\n  limits:\n    cpu: "1"',
            Yaml('resources:\n  requests:\n    cpu: 500m\n  limits:\n    cpu: "1"'),
        ),
    ),
    RuleInfo(
        "RP227",
        "unknown-volume-mount",
        E,
        "A volumeMount (or volumeDevice) names a volume the pod does not define.",
        rule_doc(
            "Checks that each container's `volumeMounts[].name` and `volumeDevices[].name` is "
            "the name of an entry of `spec.template.spec.volumes` (one that is itself valid).",
            "The API server rejects the object: `volumeMounts[0].name: Not found`. Usually a "
            "typo, or a volume removed while its mount stayed.",
            "volumeMounts:\n- name: config\n  mountPath: /etc/app\n...\nvolumes:\n- name: "
            "app-config\n  configMap:\n    name: app",
            "Use the volume's name (`app-config`) in the mount.",
        ),
    ),
    RuleInfo(
        "RP228",
        "invalid-volume-mount",
        E,
        "A volume mount or device is malformed.",
        rule_doc(
            "Checks `volumeMounts` and `volumeDevices`: a name and a path, mount paths unique "
            "in the container, relative `subPath`/`subPathExpr` without `..` (not both), a "
            "valid `mountPropagation` (`Bidirectional` only for privileged containers) and "
            "`recursiveReadOnly`; devices only from PersistentVolumeClaim or ephemeral volumes, "
            "and not also mounted.",
            "The API server rejects the object. Some of these errors carry the server's own "
            "path without the mount's index (`volumeMounts.subPath`).",
            "volumeMounts:\n- name: data\n  mountPath: /data\n- name: cache\n  mountPath: /data",
            "Mount each volume at its own path.",
        ),
    ),
    RuleInfo(
        "RP229",
        "invalid-volume",
        E,
        "A pod volume is malformed.",
        rule_doc(
            "Checks `spec.template.spec.volumes`: names present, DNS-1123 labels and unique; "
            "at most one source per volume (none means `emptyDir`); the source's required "
            "fields (a ConfigMap `name`, a Secret `secretName`, a claim name, a host path), "
            "file modes between 0 and 0777, relative item paths without `..`, projected "
            "sources and token lifetimes of at least 10 minutes.",
            "The API server rejects the object; mounts of a volume that has errors are "
            "reported as not found as well.",
            "volumes:\n- name: config\n  configMap:\n    name: app\n  secret:\n    secretName: app",
            "Use one volume per source (or a `projected` volume to combine them).",
        ),
    ),
    RuleInfo(
        "RP230",
        "invalid-container-restart-policy",
        E,
        "A container sets restartPolicy where it may not.",
        rule_doc(
            "Checks the container-level `restartPolicy`: regular containers may not set it at "
            "all, and init containers only as `Always` (which makes them sidecars).",
            "The API server rejects the object: `Forbidden: may not be set for non-init "
            "containers`, or `Unsupported value` on an init container.",
            "containers:\n- name: web\n  image: nginx:1.27\n  restartPolicy: Always",
            "Remove it from regular containers; for a sidecar, make it an init container with "
            "`restartPolicy: Always`.",
        ),
    ),
    RuleInfo(
        "RP231",
        "init-container-probe",
        E,
        "An init container that is not a sidecar has probes or lifecycle hooks.",
        rule_doc(
            "Checks that init containers without `restartPolicy: Always` have no `lifecycle`, "
            "`livenessProbe`, `readinessProbe` or `startupProbe`.",
            "The API server rejects the object: `Forbidden: may not be set for init containers "
            "without restartPolicy=Always`. An init container runs to completion before the "
            "app starts; only sidecars keep running and can be probed.",
            "initContainers:\n- name: migrate\n  image: app:1.0\n  readinessProbe:\n"
            "    exec:\n      command: [true]",
            "Remove the probe, or add `restartPolicy: Always` if it is meant to be a sidecar.",
        ),
    ),
    RuleInfo(
        "RP232",
        "invalid-container-policy",
        E,
        "imagePullPolicy or terminationMessagePolicy has an unsupported value.",
        rule_doc(
            "Checks `imagePullPolicy` (`Always`, `IfNotPresent`, `Never`) and "
            "`terminationMessagePolicy` (`File`, `FallbackToLogsOnError`); case matters. Both "
            "default when left out.",
            "The API server rejects the object: `Unsupported value`.",
            "containers:\n- name: web\n  image: nginx:1.27\n  imagePullPolicy: IfNotExists",
            Yaml("containers:\n- name: web\n  image: nginx:1.27\n  imagePullPolicy: IfNotPresent"),
        ),
    ),
    RuleInfo(
        "RP233",
        "invalid-dns",
        E,
        "dnsPolicy or dnsConfig is invalid.",
        rule_doc(
            "Checks `dnsPolicy` (`ClusterFirst`, `ClusterFirstWithHostNet`, `Default`, `None`) "
            "and `dnsConfig`: with `dnsPolicy: None` a config with at least one nameserver; at "
            "most 3 nameservers, each an IP address; at most 32 search domains of at most 2048 "
            "characters in all, each a DNS name; option names present.",
            "The API server rejects the object.",
            "dnsPolicy: None",
            Yaml(
                "dnsPolicy: None\ndnsConfig:\n  nameservers: [10.0.0.10]\n"
                "  searches: [svc.cluster.local]"
            ),
        ),
    ),
    RuleInfo(
        "RP234",
        "invalid-scheduling",
        E,
        "A node selector, affinity, toleration or topology spread constraint is invalid.",
        rule_doc(
            "Checks where pods may run: `nodeSelector` labels; node affinity terms "
            "(operators, values, weights 1-100); pod (anti-)affinity terms (label selectors, "
            "a `topologyKey`); `tolerations` (an empty key needs `operator: Exists`, "
            "`tolerationSeconds` needs `effect: NoExecute`, known operators and effects); "
            "`topologySpreadConstraints` (`maxSkew` above 0, a key, `whenUnsatisfiable`, no "
            "duplicates); scheduling gates; `nodeName`, `priorityClassName` and "
            "`preemptionPolicy`.",
            "The API server rejects the object.",
            "tolerations:\n- key: dedicated\n  operator: Exists\n  value: gpu",
            Yaml(
                "tolerations:\n- key: dedicated\n  operator: Equal\n  value: gpu\n"
                "  effect: NoSchedule"
            ),
        ),
    ),
    RuleInfo(
        "RP235",
        "invalid-pod-field",
        E,
        "A pod-level name, host alias, readiness gate or deletion cost is invalid.",
        rule_doc(
            "Checks `serviceAccountName` and `runtimeClassName` (DNS subdomains), `hostname` "
            "and `subdomain` (DNS labels), `hostAliases` (an IP address and DNS host names), "
            "`readinessGates` condition types, and the template annotation "
            "`controller.kubernetes.io/pod-deletion-cost` (a 32-bit integer).",
            "The API server rejects the object.",
            "template:\n  spec:\n    serviceAccountName: Deployer",
            Yaml("template:\n  spec:\n    serviceAccountName: deployer"),
        ),
    ),
    RuleInfo(
        "RP236",
        "invalid-security-context",
        E,
        "A security context, OS setting or seccomp/AppArmor profile is invalid.",
        rule_doc(
            "Checks pod and container `securityContext`: user and group IDs between 0 and "
            "2147483647, sysctl names (no `net.*` with `hostNetwork`), seccomp and AppArmor "
            "profiles (a `localhostProfile` only for `Localhost`), `procMount`, "
            "`allowPrivilegeEscalation: false` with `privileged: true`; host namespaces with "
            "`hostUsers: false`; the other OS's settings when `os.name` is set; and the "
            "deprecated seccomp and AppArmor annotations. Whether privileged containers are "
            "allowed at all is a cluster setting and is not checked.",
            "The API server rejects the object.",
            "securityContext:\n  allowPrivilegeEscalation: false\n  privileged: true",
            Yaml(
                "securityContext:\n  allowPrivilegeEscalation: false\n  capabilities:\n"
                "    add: [NET_BIND_SERVICE]"
            ),
        ),
    ),
)

_WARNINGS: tuple[RuleInfo, ...] = (
    RuleInfo(
        "RP237",
        "name-not-dns-label",
        W,
        "A Deployment or ReplicaSet name that is valid but not a DNS label.",
        rule_doc(
            "Warns when the name of a Deployment or ReplicaSet is a valid DNS subdomain (so it "
            "is accepted) but not a DNS-1123 label: it has dots, or is longer than 63 "
            "characters.",
            "The API server accepts the object and prints this same warning (`Warning: "
            "metadata.name: this is used in Pod names and hostnames, which can result in "
            "surprising behavior; a DNS label is recommended`). Pod names and hostnames are "
            "built from it, and a dotted hostname is not what the pod sees as its name.",
            "metadata:\n  name: web-v1.2",
            Yaml("metadata:\n  name: web-v1-2"),
        ),
    ),
)

WORKLOAD_RULES: tuple[RuleInfo, ...] = (*_WORKLOAD, *_WARNINGS)
