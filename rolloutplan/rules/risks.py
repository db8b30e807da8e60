"""RP301-RP324, RP330-RP332: rollout risks, from the Deployment itself, from its plan,
and from the autoscalers, disruption budgets and quotas beside it and the nodes under it."""

from __future__ import annotations

from rolloutplan.model.finding import Severity
from rolloutplan.rules.base import RuleInfo, Yaml, rule_doc

W, INFO, E = Severity.WARNING, Severity.INFO, Severity.ERROR

RISK_RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "RP301",
        "no-readiness-probe",
        W,
        "A container of a Deployment has no readinessProbe.",
        rule_doc(
            "Reports Deployment containers without a `readinessProbe`.",
            "Without one, a pod is available as soon as its containers start. The rollout "
            "then replaces healthy old pods with new ones that may not serve at all, and the "
            "Service sends them traffic.",
            "containers:\n- name: web\n  image: example.com/web:1.4.2",
            "Add a readinessProbe that passes only when the app serves, e.g. an `httpGet` on "
            "a health endpoint.",
        ),
    ),
    RuleInfo(
        "RP302",
        "mutable-image-tag",
        W,
        "An image uses :latest or no tag.",
        rule_doc(
            "Reports Deployment images tagged `:latest` or not tagged at all (a digest "
            "`@sha256:...` pins the image and is fine).",
            "A new image pushed under the same tag changes no manifest, so no rollout happens; "
            "pods started later pull the new build, so one Deployment runs several versions.",
            "image: nginx",
            "Use a version tag (`nginx:1.25.3`) or a digest.",
        ),
    ),
    RuleInfo(
        "RP303",
        "rollout-paused",
        INFO,
        "The Deployment is paused: changes do not roll out.",
        rule_doc(
            "Reports `spec.paused: true`.",
            "While paused, template changes are recorded but no new ReplicaSet is created; the "
            "change you are shipping does not reach any pod until someone resumes it.",
            "spec:\n  paused: true",
            "Remove `paused`, or run `kubectl rollout resume` after applying.",
        ),
    ),
    RuleInfo(
        "RP304",
        "no-rollback-history",
        W,
        "revisionHistoryLimit 0 leaves nothing to roll back to.",
        rule_doc(
            "Reports `revisionHistoryLimit: 0`.",
            "The controller deletes old ReplicaSets once a rollout completes, so "
            "`kubectl rollout undo` cannot go back.",
            "spec:\n  revisionHistoryLimit: 0",
            "Keep a few revisions (the default is 10).",
        ),
    ),
    RuleInfo(
        "RP305",
        "single-replica-downtime",
        W,
        "One replica and maxUnavailable 1: a rollout can take the only pod down.",
        rule_doc(
            "Reports a RollingUpdate Deployment with 1 replica whose maxUnavailable resolves "
            "to 1 (for example `maxUnavailable: 1`, or `maxSurge: 0`).",
            "The controller may delete the only pod before its replacement is ready: every "
            "rollout is a short outage.",
            "replicas: 1\nstrategy:\n  rollingUpdate:\n    maxSurge: 0\n    maxUnavailable: 1",
            "Use `maxUnavailable: 0` with `maxSurge: 1`, or run more replicas.",
        ),
    ),
    RuleInfo(
        "RP306",
        "surge-doubles-pods",
        INFO,
        "A maxSurge set to double the pods, or to add a node's worth of requests.",
        rule_doc(
            "Reports a RollingUpdate maxSurge that someone set (not the default 25%) and that "
            "doubles the pods (a percentage of 100% or more, or a surge of at least `replicas` "
            "when there are 2 or more), or whose extra pods together request at least 4 CPU "
            "or 16 GiB of memory, the size of a common node (4 vCPU, 16 GiB). Requests count "
            "as the scheduler counts them: a container's limits stand for the requests it "
            "leaves unset, sidecars add to the containers, an init container counts when it "
            "needs more; LimitRange defaults are not counted (the rule sees the Deployment "
            "alone: the plan's peakRequests counts those of the inputs). The finding "
            "gives the extra pods and their requests. The default surge is never reported: "
            "on one replica it adds one pod, which is what a rolling update is.",
            "The new pods are created before old ones go, so the cluster needs that much room "
            "free while the rollout runs; without it they stay Pending until the autoscaler "
            "adds nodes, or the rollout stalls and hits its progress deadline.",
            "replicas: 10\nstrategy:\n  rollingUpdate:\n    maxSurge: 100%",
            "Make sure the cluster has the room, or use a smaller surge:\n\n```yaml\n"
            "strategy:\n  rollingUpdate:\n    maxSurge: 25%\n```",
        ),
    ),
    RuleInfo(
        "RP307",
        "overlapping-selectors",
        W,
        "Two Deployments select each other's pods.",
        rule_doc(
            "Reports Deployments of one namespace whose selector matches another Deployment's "
            "pod template labels.",
            "Both controllers count and manage the same pods: each scales the other's pods "
            "away, and rollouts of either behave unpredictably.",
            "# web: selector app=web; web-canary: labels app=web, track=canary",
            "Give each Deployment a label only its own pods carry, and select on it.",
        ),
    ),
    RuleInfo(
        "RP310",
        "wave-exceeds-progress-deadline",
        W,
        "New pods take longer to become available than progressDeadlineSeconds.",
        rule_doc(
            "From the plan: reports a Deployment whose new pods take longer to become "
            "available (readiness probe timing, or pod-startup, plus minReadySeconds) than "
            "`progressDeadlineSeconds`. The deadline counts from the last progress, not from "
            "the start of the rollout, so only a single wave can exceed it.",
            "The Deployment reports `ProgressDeadlineExceeded` although the rollout is healthy; "
            "`kubectl rollout status` fails and CI pipelines abort it.",
            "progressDeadlineSeconds: 60\nminReadySeconds: 90",
            "Raise progressDeadlineSeconds above the time a pod needs to become available.",
        ),
    ),
    RuleInfo(
        "RP311",
        "recreate-downtime",
        W,
        "A Recreate rollout leaves a Service without endpoints.",
        rule_doc(
            "From the plan: reports a Recreate Deployment whose pods a Service selects, with "
            "how long the Service has no ready endpoint (old pods terminating, then new pods "
            "starting).",
            "Every request to the Service fails for that window.",
            "strategy:\n  type: Recreate",
            "Use RollingUpdate unless old and new versions really cannot run side by side.",
        ),
    ),
    RuleInfo(
        "RP312",
        "endpoints-drop-to-zero",
        W,
        "A rollout leaves a Service without ready endpoints for a while.",
        rule_doc(
            "From the plan: reports a RollingUpdate plan during which a Service selecting the "
            "Deployment's pods has no ready endpoint (one replica with maxUnavailable 1, or "
            "new pods that never become ready while the Service only selects them).",
            "Requests to the Service fail for that window.",
            "replicas: 1\nstrategy:\n  rollingUpdate:\n    maxUnavailable: 1\n    maxSurge: 0",
            "Keep `maxUnavailable: 0` with a surge, or run more replicas.",
        ),
    ),
    RuleInfo(
        "RP313",
        "service-loses-new-pods",
        E,
        "After the rollout a Service no longer selects the Deployment's pods.",
        rule_doc(
            "From the plan: reports, at the Service's selector, a Service that selects the old "
            "pods of a Deployment but not the new ones: the new template dropped or changed a "
            "label the Service needs.",
            "The rollout completes, the old pods go, and the Service is left without endpoints: "
            "an outage that starts when the rollout succeeds.",
            "# Service selector app=web; the new template's labels: app=web-v2",
            "Keep the Service's labels on the new template, or change the Service with it.",
        ),
    ),
    RuleInfo(
        "RP314",
        "mixed-version-window",
        INFO,
        "Old and new pods that clients can tell apart serve one Service at the same time.",
        rule_doc(
            "From the plan: reports, for each Service, the steps (and estimated seconds) during "
            "which both old and new pods are ready behind it, when the old pod template is "
            "known (`--previous`, `check --base`, or the Deployment's ReplicaSets in the "
            "inputs) and a container serving the Service (one declaring its target port, or "
            "every container when none does) changed what clients see: its image, ports, "
            "command, args or environment. Without a previous version the plan assumes a "
            "change but cannot know what it is, so nothing is reported; a new Deployment has "
            "no old pods; a change of resources, probes, labels or annotations (such as "
            "`kubectl rollout restart`) leaves both versions answering alike.",
            "Requests alternate between versions; a changed schema or protocol must work both "
            "ways for that long.",
            "# --previous: image example.com/web:1.4.2; now:\n"
            "containers:\n- name: app\n  image: example.com/web:1.5.0",
            "Nothing, if both versions are compatible; otherwise make them so, or use a "
            "blue/green switch of the Service selector.",
        ),
    ),
    RuleInfo(
        "RP315",
        "bare-replicaset-template-change",
        W,
        "A ReplicaSet's template changed, which never replaces its running pods.",
        rule_doc(
            "With `--previous`, reports a ReplicaSet that no Deployment owns whose pod "
            "template changed.",
            "A ReplicaSet only keeps a count of pods: the running pods keep the old template, "
            "and new pods get the new one only when old ones die. The change reaches the "
            "cluster piecemeal, or not at all.",
            "kind: ReplicaSet\nspec:\n  template:\n    spec:\n      containers:\n"
            "      - image: nginx:1.25.3   # was nginx:1.24.0",
            "Use a Deployment, which rolls the change out; or delete the pods to recreate them.",
        ),
    ),
    RuleInfo(
        "RP316",
        "plan-shortened",
        INFO,
        "The rollout plan is too long to list step by step: runs are shown once, or it stops.",
        rule_doc(
            "From the plan: reports a plan that would list more than 50,000 steps. Each run of "
            "identical rounds (the same scale actions, shifted by the same counts) is then "
            "shown as its first rounds, one `repeat` step with the count, and its last round; "
            "outcome, waves and duration stay exact. A plan still longer than the limit (or "
            "one that would read more than 2,000,000 ReplicaSet states) stops there, with the "
            "outcome `truncated`.",
            "Nothing is wrong with the manifest: the finding says that the plan shown is "
            "shortened, so that the output and the time to plan stay bounded for any input.",
            "replicas: 100000\nstrategy:\n  rollingUpdate:\n    maxSurge: 1\n    maxUnavailable: 0",
            "Nothing to fix; a larger maxSurge or maxUnavailable also makes the rollout "
            "itself take fewer waves.",
        ),
    ),
    RuleInfo(
        "RP317",
        "replicas-with-autoscaler",
        W,
        "A Deployment that a HorizontalPodAutoscaler scales also sets spec.replicas.",
        rule_doc(
            "Reports a Deployment that sets `spec.replicas` while a HorizontalPodAutoscaler of "
            "its apply unit and namespace targets it (`scaleTargetRef` kind Deployment, by "
            "name). For an object from a cluster (`kubectl get -o yaml`), where the server "
            "always fills in `spec.replicas`, the manifest last applied "
            "(`kubectl.kubernetes.io/last-applied-configuration`) is what counts. The plan "
            "uses the autoscaler's count: its `status.currentReplicas` when the inputs have "
            "it, else one plan at `minReplicas` and one at `maxReplicas`; at `replicas: 0` "
            "the HPA controller leaves the Deployment alone while `minReplicas` is above 0 "
            "(`ScalingActive` False, `ScalingDisabled`), so the plan stays at 0 and says why.",
            "The autoscaler owns the replica count. Every `kubectl apply` of a manifest that "
            "sets `spec.replicas` resets the count to that number, scaling a busy Deployment "
            "down (or an idle one up) until the autoscaler corrects it; the Kubernetes "
            "documentation advises removing the field, after taking it out of the "
            "last-applied configuration (the apply that removes it otherwise scales the "
            "Deployment to 1, see RP322).",
            "kind: Deployment\nspec:\n  replicas: 3   # and an HPA targets this Deployment",
            Yaml(
                "kind: Deployment\nspec:\n  # no replicas: the HorizontalPodAutoscaler sets "
                "them\n  selector:\n    matchLabels:\n      app: web"
            ),
        ),
    ),
    RuleInfo(
        "RP318",
        "disruption-budget-blocks-eviction",
        W,
        "A PodDisruptionBudget allows no voluntary eviction of a Deployment's pods.",
        rule_doc(
            "Reports a PodDisruptionBudget that selects a Deployment's pods (in its apply unit "
            "and namespace) and, with every pod healthy, allows no disruption: "
            "`maxUnavailable: 0` (or `0%`), or `minAvailable` at least the pods it selects "
            "(`100%`, or a number equal to `replicas`). Percentages are resolved as the "
            "disruption controller does (both round up) against the pods of every "
            "Deployment it selects, at the autoscaler's count when one scales them. A budget "
            "that also selects pods of other workloads (StatefulSets, bare Pods...) is not "
            "judged: their count is not known.",
            "Every eviction of these pods is refused (HTTP 429), so `kubectl drain`, node "
            "upgrades and the cluster autoscaler's scale-down wait forever on a node that "
            "runs one of them.",
            "kind: PodDisruptionBudget\nspec:\n  minAvailable: 3   # the Deployment has 3 "
            "replicas\n  selector:\n    matchLabels:\n      app: web",
            Yaml(
                "kind: PodDisruptionBudget\nspec:\n  maxUnavailable: 1\n  selector:\n"
                "    matchLabels:\n      app: web"
            ),
        ),
    ),
    RuleInfo(
        "RP319",
        "disruption-budget-not-for-rollouts",
        INFO,
        "A PodDisruptionBudget allows fewer pods down than the Deployment's rollout takes down.",
        rule_doc(
            "Reports a PodDisruptionBudget whose allowed disruptions (`maxUnavailable`, or "
            "the pods it selects minus `minAvailable`) are fewer than the pods a selected "
            "Deployment's rollout takes down at once: its resolved `maxUnavailable` (rounded "
            "down, as the Deployment controller does), or every pod for Recreate. Not "
            "reported when the budget allows no eviction at all (disruption-budget-blocks-"
            "eviction).",
            "A Deployment rollout does not consult PodDisruptionBudgets: the Deployment "
            "controller deletes old pods by scaling ReplicaSets down, and only evictions "
            "(`kubectl drain`, the cluster autoscaler) check a budget. A budget tighter than "
            "the rollout suggests someone expects it to protect the rollout; it does not.",
            "kind: PodDisruptionBudget\nspec:\n  maxUnavailable: 1   # the Deployment: 8 "
            "replicas, maxUnavailable 50%",
            "Limit the rollout with the Deployment's own `strategy.rollingUpdate."
            "maxUnavailable` (and `maxSurge`); keep the budget for evictions.",
        ),
    ),
    RuleInfo(
        "RP320",
        "anti-affinity-blocks-rollout",
        W,
        "Required pod anti-affinity leaves no node for the new pods, so the rollout stalls.",
        rule_doc(
            "From the plan, with `--nodes N`, `--zones N` or Node objects in the inputs "
            "(`kubectl get nodes -o yaml`): reports a Deployment whose pods keep each other "
            "out of a topology domain (a `requiredDuringSchedulingIgnoredDuringExecution` pod "
            "anti-affinity term whose `labelSelector` matches both the old and the new pods, "
            "in both templates: one pod per node for `kubernetes.io/hostname`, per zone for "
            "`topology.kubernetes.io/zone`) when the rollout stalls because no domain is left "
            "for a new pod. Each old pod is taken to run in its own domain; with Node objects "
            "the domains are those of the nodes the pod can land on (not cordoned, "
            "NoSchedule and NoExecute taints tolerated, counting the not-ready and "
            "unreachable tolerations every pod is given; `nodeSelector` and required node "
            "affinity matched), and a node without the term's label takes any number of "
            "pods. `matchLabelKeys` and `mismatchLabelKeys` join the `labelSelector` with "
            "the pod's own values, as the API server adds them: with `pod-template-hash` old "
            "and new pods do not repel each other (in `mismatchLabelKeys` it keeps new pods "
            "off the old pods' domains only, which is not judged). A term counts the pod's "
            "own namespace without `namespaces` and `namespaceSelector`, with the namespace "
            "in `namespaces`, or with a `namespaceSelector` that is empty or selects by "
            "`kubernetes.io/metadata.name` only; a term whose `namespaceSelector` reads other "
            "namespace labels is not judged (a note says so). When no node passes the "
            "filters before it (taints, cordons, node affinity) the anti-affinity is not "
            "what keeps the pods Pending, and the rule leaves the stall to RP324.",
            "The scheduler puts at most one of these pods in a domain. With as many replicas "
            "as domains, `maxSurge` above 0 and `maxUnavailable: 0`, the surge pod is created "
            "but stays Pending (`0/3 nodes are available: 3 node(s) didn't match pod "
            "anti-affinity rules.`), and the controller removes no old pod before a new one "
            "is available: the rollout never progresses and the Deployment reports "
            "ProgressDeadlineExceeded.",
            "# 3 nodes\nreplicas: 3\nstrategy:\n  rollingUpdate:\n    maxSurge: 1\n"
            "    maxUnavailable: 0\n# pods: required anti-affinity on kubernetes.io/hostname "
            "against their own app label",
            "Let an old pod free its domain first: `maxUnavailable: 1` (or `maxSurge: 0` with "
            "`maxUnavailable: 1`); or add nodes (zones); or use preferred "
            "(`preferredDuringSchedulingIgnoredDuringExecution`) anti-affinity.",
        ),
    ),
    RuleInfo(
        "RP321",
        "topology-spread-blocks-rollout",
        W,
        "A DoNotSchedule topology spread constraint leaves no domain for the new pods, so "
        "the rollout stalls.",
        rule_doc(
            "From the plan, with `--nodes N` (domains of `kubernetes.io/hostname`), `--zones "
            "N` (`topology.kubernetes.io/zone`) or Node objects in the inputs: reports a "
            "Deployment whose `topologySpreadConstraints` with `whenUnsatisfiable: "
            "DoNotSchedule` keep a new pod Pending so that the rollout stalls. A pod may go "
            "to a domain when the matching pods there plus itself exceed the fewest in any "
            "eligible domain (globalMin) by at most `maxSkew`. The domain with the fewest "
            "always qualifies, so a spread stalls nothing unless globalMin is held at 0: "
            "fewer eligible domains than `minDomains`, or an eligible domain the pod cannot "
            "land on (a tainted or cordoned node still counts under the default "
            "`nodeTaintsPolicy: Ignore`). With Node objects the eligible domains follow "
            "`nodeAffinityPolicy` (`nodeSelector` and required node affinity) and "
            "`nodeTaintsPolicy` (a cordoned node carries the unschedulable taint), and a "
            "node without the topology label is no domain and takes no pod. Each domain "
            "then holds at most `maxSkew` matching "
            "pods. Old pods count unless the `labelSelector` (with `matchLabelKeys`) sets "
            "them apart: `pod-template-hash` in `matchLabelKeys` counts only the new "
            "revision's pods. `ScheduleAnyway` constraints only score, and never stall. "
            "When no node passes the filters before it (taints, cordons, node affinity) the "
            "spread is not what keeps the pods Pending, and the rule leaves the stall to "
            "RP324.",
            "With `minDomains: 5` on 3 zones, `maxSkew: 1` and 3 replicas, every zone already "
            "holds its one pod: the surge pod stays Pending (`0/3 nodes are available: 3 "
            "node(s) didn't match pod topology spread constraints.`), no old pod goes before "
            "a new one is available, and the rollout never progresses. A tainted "
            "control-plane node counted as a hostname domain does the same on any cluster.",
            "replicas: 3\nstrategy:\n  rollingUpdate:\n    maxSurge: 1\n    maxUnavailable: 0\n"
            "template:\n  spec:\n    topologySpreadConstraints:\n    - maxSkew: 1\n"
            "      minDomains: 5\n      topologyKey: topology.kubernetes.io/zone\n"
            "      whenUnsatisfiable: DoNotSchedule\n      labelSelector:\n"
            "        matchLabels: {app: web}",
            "Add `pod-template-hash` to `matchLabelKeys` (old pods then do not count); or "
            "`maxUnavailable: 1`; or lower `minDomains` to the domains there are; or set "
            "`nodeTaintsPolicy: Honor` so that domains the pods cannot use do not count.",
        ),
    ),
    RuleInfo(
        "RP322",
        "autoscaled-replicas-removed",
        W,
        "spec.replicas is removed from a Deployment that a HorizontalPodAutoscaler scales.",
        rule_doc(
            "Compares with the previous manifest (`check --base`, `plan --previous`): reports "
            "a Deployment whose previous manifest sets `spec.replicas` and whose new one "
            "leaves it out, while a HorizontalPodAutoscaler of its apply unit targets it.",
            "Removing the field is the right end state (see RP317), but the apply that "
            "removes it resets `spec.replicas` to its default, 1: with client-side apply the "
            "field leaves the last-applied configuration and is deleted, and with server-side "
            "apply it is deleted while the applier still owns it. The Deployment scales "
            "down to one pod at once, and the autoscaler scales it up again only at its next "
            "sync, by its metrics and scale-up policies. The Kubernetes documentation warns "
            "of this one-time drop.",
            "# previous manifest\nspec:\n  replicas: 4\n# new manifest: no replicas, an HPA "
            "targets the Deployment\nspec:\n  selector:\n    matchLabels:\n      app: web",
            "Before applying the change, take `spec.replicas` out of the last-applied "
            "configuration: `kubectl apply edit-last-applied deployment/NAME` (client-side "
            "apply), or move the field's ownership to the autoscaler's field manager "
            "(server-side apply). Then apply the manifest without it.",
        ),
    ),
    RuleInfo(
        "RP323",
        "several-autoscalers",
        W,
        "Several HorizontalPodAutoscalers target one Deployment, so none scales it by metrics.",
        rule_doc(
            "Reports a Deployment that two or more HorizontalPodAutoscalers of its apply unit "
            "target (`scaleTargetRef` kind Deployment in the apps group, by name). The plans "
            "take the range all of them allow (its two ends, minReplicas 3 and maxReplicas 6 "
            "for 2..6 and 3..10), or the first autoscaler's by name when the ranges do not "
            "overlap, and their first note says so; a manifest that sets `spec.replicas` is "
            "planned once, at that count moved into the range they allow (no metric changes "
            "it).",
            "The HPA controller computes no replica count for pods that several autoscalers "
            "select: each autoscaler reports `ScalingActive False` with reason "
            '`AmbiguousSelector` ("pods by selector ... are controlled by multiple HPAs"). '
            "Only their bounds still act: each moves the count into its own minReplicas.."
            "maxReplicas, and when the ranges do not overlap they undo each other at every "
            "sync. A second autoscaler added for another metric (GPU use beside requests per "
            "second) turns autoscaling off instead of adding the metric.",
            "kind: HorizontalPodAutoscaler\nmetadata:\n  name: web-cpu\nspec:\n  "
            "scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n---\n"
            "kind: HorizontalPodAutoscaler\nmetadata:\n  name: web-rps\nspec:\n  "
            "scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}",
            "Keep one autoscaler per Deployment and list every metric in its `spec.metrics` "
            "(it scales to the largest count any of them asks for); if the files are "
            "alternatives, keep them in different apply units.",
        ),
    ),
    RuleInfo(
        "RP324",
        "no-node-for-pods",
        W,
        "No node in the inputs takes the new pods, so they stay Pending: the rollout stalls.",
        rule_doc(
            "From the plan, with Node objects in the inputs (`kubectl get nodes -o yaml`; not "
            "with `--nodes`/`--zones`, which count nodes without their labels and taints): "
            "reports a Deployment whose new pod template no node passes the scheduler's "
            "filters for, with or without pod anti-affinity or topology spread: every node is "
            "cordoned (`spec.unschedulable`), carries a NoSchedule or NoExecute taint the pods "
            "do not tolerate (counting the not-ready and unreachable tolerations every pod is "
            "given), fails the pods' `nodeSelector` or required node affinity, or lacks the "
            "`topologyKey` label of one of their DoNotSchedule spread constraints. Only the "
            "new template is judged: the old pods are taken to run where they are. RP320 and "
            "RP321 leave such a stall to this rule.",
            "The scheduler leaves each new pod Pending (`0/4 nodes are available: 4 node(s) "
            "didn't match Pod's node affinity/selector.`). With `maxUnavailable: 0` the "
            "controller removes no old pod before a new one is available, and the rollout "
            "stalls at its first step; with `maxUnavailable` above 0 it scales old pods down "
            "all the same, and the new ones never run: capacity is lost until the rollout is "
            "undone. Either way the Deployment reports ProgressDeadlineExceeded. A typo in a "
            "new `nodeSelector` label is a classic cause.",
            "# nodes labelled disktype: ssd\ntemplate:\n  spec:\n    nodeSelector:\n"
            "      disktype: sdd",
            "Fix the `nodeSelector` or node affinity, add the tolerations the nodes' taints "
            "ask for, uncordon or label the nodes, or add nodes the pods can land on.",
        ),
    ),
    RuleInfo(
        "RP330",
        "quota-blocks-rollout",
        E,
        "A ResourceQuota's room, as its status.used shows, stalls or slows the rollout.",
        rule_doc(
            "From the plan, with ResourceQuotas of the Deployment's namespace whose "
            "`status.used` the inputs show (`kubectl get quota -o yaml`): reports a rollout "
            "whose surge pods do not fit in what the quotas that select its pods have left. "
            "Pods are charged as the API server admits them: limits copied into missing "
            "requests, then the LimitRanges' Container defaults, then the containers and "
            "sidecars (init containers with `restartPolicy: Always`) together or, when larger, "
            "each init container beside the sidecars started before it, plus the "
            "RuntimeClass's `overhead.podFixed` when the inputs have it.",
            "The ReplicaSet controller cannot create a pod the quota refuses (`exceeded "
            "quota: compute, requested: cpu=500m, used: cpu=2, limited: cpu=2`, the "
            "Deployment's ReplicaFailure condition). The rollout then runs with fewer new "
            "pods than maxSurge allows, so it is slower; with `maxUnavailable: 0` and no room "
            "for even one more pod it never starts, and the Deployment reports "
            "ProgressDeadlineExceeded. Old pods scaled down keep counting until they are gone.",
            "# quota compute: hard cpu 2, status.used cpu 2\nreplicas: 4\nstrategy:\n"
            "  rollingUpdate:\n    maxSurge: 1\n    maxUnavailable: 0\n"
            "# each pod requests cpu 500m",
            "Raise the quota's `hard` limits by the surge pods' requests, or let old pods make "
            "room: `maxSurge: 0` with `maxUnavailable: 1` or more.",
        ),
    ),
    RuleInfo(
        "RP331",
        "quota-may-block-rollout",
        W,
        "A ResourceQuota may stall or slow the rollout, by the usage the inputs suggest.",
        rule_doc(
            "As RP330, for quotas without `status.used` (manifests rather than live "
            "objects): their usage is taken to be the Deployment's current pods and the pods "
            "of the other Deployments of the namespace in the inputs, at their replicas. Any "
            "other pod in the namespace only leaves less room.",
            "The same as RP330: pods beyond the quota's room are not created, which slows the "
            "rollout, or stalls it when maxUnavailable is 0 and no pod fits. The finding "
            "states the assumption; with live input it becomes RP330 or goes away.",
            'kind: ResourceQuota\nspec:\n  hard:\n    cpu: "2"\n---\n'
            "# Deployment: replicas 4, maxSurge 1, maxUnavailable 0, cpu requests 500m",
            "Raise the quota's `hard` limits by the surge pods' requests, or let old pods make "
            "room: `maxSurge: 0` with `maxUnavailable: 1` or more.",
        ),
    ),
    RuleInfo(
        "RP332",
        "quota-requires-resources",
        W,
        "A ResourceQuota on cpu or memory refuses every new pod: a container does not set it.",
        rule_doc(
            "From the plan: a ResourceQuota of the Deployment's namespace whose scopes select "
            "its pods tracks `cpu`, `memory`, `requests.cpu`, `requests.memory`, `limits.cpu` "
            "or `limits.memory`, and a container or init container of the new pod template "
            "leaves that resource unset, after the limits copied into missing requests and the "
            "LimitRanges' Container defaults in the inputs. Other resources (ephemeral-storage, "
            "extended resources, `pods`) need not be set. A warning, not an error: a LimitRange "
            "of the namespace that is not in the inputs may set the default.",
            "The API server refuses every pod of the new ReplicaSet (`failed quota: compute: "
            "must specify limits.cpu for: app`), whatever room the quota has: the new "
            "ReplicaSet never gets a pod (FailedCreate, the ReplicaFailure condition), the "
            "controller scales the old one down only within maxUnavailable, and the rollout "
            "stalls at its first steps until progressDeadlineSeconds.",
            'kind: ResourceQuota\nspec:\n  hard:\n    limits.cpu: "4"\n---\n'
            "# Deployment: container app sets requests.cpu only",
            "Set the resource on every container (`resources.limits.cpu`), or add a LimitRange "
            "with a Container `default` (limits) or `defaultRequest` (requests) for it.",
        ),
    ),
)
