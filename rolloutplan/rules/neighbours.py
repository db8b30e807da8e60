"""RP275-RP281: HorizontalPodAutoscaler, ResourceQuota, LimitRange and PodDisruptionBudget,
the objects beside a Deployment that shape its rollout, as the API server validates them."""

from __future__ import annotations

from rolloutplan.model.finding import Severity
from rolloutplan.rules.base import RuleInfo, Yaml, rule_doc

E = Severity.ERROR

NEIGHBOUR_RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "RP275",
        "invalid-autoscaler-target",
        E,
        "A HorizontalPodAutoscaler's scaleTargetRef has no kind or name, or one unusable in a URL.",
        rule_doc(
            "Checks `spec.scaleTargetRef` of an `autoscaling/v2` HorizontalPodAutoscaler: "
            "`kind` and `name` are set, and neither is `.` or `..` nor contains `/` or `%` "
            "(they become parts of the URL of the target's scale subresource).",
            "The API server rejects the autoscaler: `spec.scaleTargetRef.kind: Required value`.",
            "spec:\n  scaleTargetRef:\n    name: web\n  maxReplicas: 5",
            Yaml(
                "spec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n"
                "    name: web\n  maxReplicas: 5"
            ),
        ),
    ),
    RuleInfo(
        "RP276",
        "invalid-autoscaler-replicas",
        E,
        "minReplicas is below 1, or maxReplicas is below 1 or below minReplicas.",
        rule_doc(
            "Checks a HorizontalPodAutoscaler's bounds: `minReplicas` (default 1) is at least "
            "1, `maxReplicas` at least 1 and at least `minReplicas`. `minReplicas: 0` needs the "
            "alpha HPAScaleToZero feature gate, off by default, so it is reported (an object that "
            "already has 0 may keep it on update).",
            "The API server rejects the autoscaler: `spec.maxReplicas: Invalid value: 2: must be "
            "greater than or equal to `minReplicas``.",
            "spec:\n  minReplicas: 3\n  maxReplicas: 2",
            Yaml("spec:\n  minReplicas: 2\n  maxReplicas: 6"),
        ),
    ),
    RuleInfo(
        "RP277",
        "invalid-autoscaler-metric",
        E,
        "A HorizontalPodAutoscaler metric has an unknown type, a missing source or a bad target.",
        rule_doc(
            "Checks each of `spec.metrics`: a `type` of Resource, ContainerResource, Pods, "
            "Object or External with the matching source (and only that one); a resource or "
            "metric name; a target `type` of Utilization, Value or AverageValue; positive "
            "values; `averageUtilization` at least 1; the target field the source needs "
            "(Pods: `averageValue`; Object: `value` or `averageValue`; Resource: "
            "`averageUtilization` or `averageValue`, not both).",
            "The API server rejects the autoscaler: for example `spec.metrics[0].resource: "
            "Required value: must populate information for the given metric source`.",
            "metrics:\n- type: Resource\n  pods:\n    metric:\n      name: qps\n"
            "    target:\n      type: AverageValue\n      averageValue: 10",
            Yaml(
                "metrics:\n- type: Resource\n  resource:\n    name: cpu\n    target:\n"
                "      type: Utilization\n      averageUtilization: 70"
            ),
        ),
    ),
    RuleInfo(
        "RP278",
        "invalid-autoscaler-behavior",
        E,
        "A HorizontalPodAutoscaler's scaleUp or scaleDown rules are malformed.",
        rule_doc(
            "Checks `spec.behavior.scaleUp` and `scaleDown`: `stabilizationWindowSeconds` "
            "from 0 to 3600, `selectPolicy` Max, Min or Disabled, at least one policy (a rule "
            "left out gets the defaults; `policies: []` does not), each policy of type Pods or "
            "Percent with a `value` above 0 and a `periodSeconds` from 1 to 1800, and a "
            "`tolerance` of 0 or more (from Kubernetes 1.35, where the HPAConfigurableTolerance "
            "feature gate is on by default; 1.33 and 1.34 drop a new tolerance unchecked).",
            "The API server rejects the autoscaler: `spec.behavior.scaleDown.policies[0]."
            "periodSeconds: Invalid value: 3600: must be less than or equal to 1800`.",
            "behavior:\n  scaleDown:\n    policies:\n    - type: Pods\n      value: 1\n"
            "      periodSeconds: 3600",
            Yaml(
                "behavior:\n  scaleDown:\n    stabilizationWindowSeconds: 3600\n    policies:\n"
                "    - type: Pods\n      value: 1\n      periodSeconds: 600"
            ),
        ),
    ),
    RuleInfo(
        "RP279",
        "invalid-resource-quota",
        E,
        "A ResourceQuota names an unknown resource or scope, or holds a bad quantity.",
        rule_doc(
            "Checks a ResourceQuota's `spec.hard`: each name a resource quota can count "
            "(`requests.cpu`, `pods`, `count/deployments.apps`, ...), each quantity not negative "
            "and whole for counted objects; `spec.scopes` and `spec.scopeSelector`: known scopes "
            "(Terminating, NotTerminating, BestEffort, NotBestEffort, PriorityClass, "
            "CrossNamespacePodAffinity, VolumeAttributesClass) that can limit the resources in "
            "`hard`, not both of a pair that exclude each other, and operators with the values "
            "they need. A change of `spec.scopes` is immutable-field.",
            'The API server rejects the quota: `spec.hard[cpus]: Invalid value: "cpus": must be '
            "a standard resource type or fully qualified`.",
            'spec:\n  hard:\n    cpus: "10"\n  scopes: [BestEffort, NotBestEffort]',
            Yaml(
                'spec:\n  hard:\n    requests.cpu: "10"\n    pods: "50"\n  scopes: [NotBestEffort]'
            ),
        ),
    ),
    RuleInfo(
        "RP280",
        "invalid-limit-range",
        E,
        "A LimitRange's bounds contradict each other, or name an unknown type or resource.",
        rule_doc(
            "Checks each of a LimitRange's `spec.limits`: a `type` of Pod, Container or "
            "PersistentVolumeClaim, used once; resource names; `min <= defaultRequest <= "
            "default <= max` for each resource, after the server fills a Container's `default` "
            "from `max` and its `defaultRequest` from `default`, then `min`; "
            "`maxLimitRequestRatio` at least 1 and at most max/min; no `default` or "
            "`defaultRequest` for type Pod; a `min` or `max` storage for "
            "PersistentVolumeClaim.",
            "The API server rejects the LimitRange: `spec.limits[0].default[cpu]: Invalid value: "
            '"1": default value 2 is greater than max value 1`.',
            'limits:\n- type: Container\n  max:\n    cpu: "1"\n  default:\n    cpu: "2"',
            Yaml('limits:\n- type: Container\n  max:\n    cpu: "2"\n  default:\n    cpu: "1"'),
        ),
    ),
    RuleInfo(
        "RP281",
        "invalid-disruption-budget",
        E,
        "A PodDisruptionBudget sets both minAvailable and maxUnavailable, or a malformed one.",
        rule_doc(
            "Checks a `policy/v1` PodDisruptionBudget: at most one of `minAvailable` and "
            "`maxUnavailable`, each a non-negative integer or a percentage up to 100% (a quoted "
            '`"2"` is neither); `unhealthyPodEvictionPolicy` IfHealthyBudget or AlwaysAllow. '
            "Selector problems are invalid-label and invalid-selector.",
            "The API server rejects the budget: `spec: Invalid value: minAvailable and "
            "maxUnavailable cannot be both set`.",
            "spec:\n  minAvailable: 2\n  maxUnavailable: 1",
            Yaml("spec:\n  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app: web"),
        ),
    ),
)
