"""Schema-valid object data -> typed objects, with the API server's defaults applied.

Only called for documents that passed schema validation, so types are as the schema says;
absent optional fields take the defaults of pkg/apis/apps/v1/defaults.go and
pkg/apis/core/v1/defaults.go.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

try:  # hashlib.blake2b itself, without the load of OpenSSL that importing hashlib costs
    from _blake2 import blake2b
except ImportError:  # an interpreter without the module
    from hashlib import blake2b

from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.objects import (
    Container,
    ContainerPort,
    Deployment,
    DeploymentStrategy,
    IntOrPercent,
    KubeObject,
    Labels,
    LabelSelector,
    PodTemplate,
    Probe,
    ReplicaSet,
    SelectorOperator,
    SelectorRequirement,
    Service,
    ServicePort,
    StrategyType,
)

if TYPE_CHECKING:  # the kinds and terms of model.cluster: imported by the inputs that have them
    from rolloutplan.model.cluster import (
        AntiAffinityTerm,
        HorizontalPodAutoscaler,
        LimitRange,
        Node,
        NodeRequirement,
        NodeSelectorTerm,
        PodDisruptionBudget,
        ResourceQuota,
        RuntimeClass,
        SpreadConstraint,
        Toleration,
    )

Data = dict[str, Any]
_PROBE_HANDLERS = ("httpGet", "tcpSocket", "exec", "grpc")
_INVOCATION = ("command", "args", "env", "envFrom", "workingDir")
HASH_LABEL = "pod-template-hash"
_SLEEP = re.compile(r"(?:^|[\s;&|])sleep\s+(\d+)(?:s)?\s*(?:$|[;&|])")


def parse_object(data: Data, ref: ObjectRef) -> KubeObject | None:
    """The typed object of a checked kind; None for other kinds."""
    kind = data.get("kind")
    spec: Data = data.get("spec") or {}
    if kind == "Deployment":
        return _deployment(data, spec, ref)
    if kind == "ReplicaSet":
        return _replica_set(data, spec, ref)
    if kind == "Service":
        return _service(spec, ref)
    builder = _NEIGHBOURS.get(kind)  # type: ignore[arg-type]
    return None if builder is None else builder(data, spec, ref)


def _autoscaler(data: Data, spec: Data, ref: ObjectRef) -> HorizontalPodAutoscaler:
    from rolloutplan.model.cluster import HorizontalPodAutoscaler, ScaleTarget

    target: Data = spec.get("scaleTargetRef") or {}
    status: Data = data.get("status") or {}
    return HorizontalPodAutoscaler(
        ref=ref,
        target=ScaleTarget(
            str(target.get("apiVersion") or ""), str(target.get("kind")), str(target.get("name"))
        ),
        min_replicas=_int(spec, "minReplicas", 1),
        max_replicas=_int(spec, "maxReplicas", 1),
        current_replicas=status.get("currentReplicas") if status else None,
        desired_replicas=status.get("desiredReplicas") if status else None,
    )


def _quota(data: Data, spec: Data, ref: ObjectRef) -> ResourceQuota:
    from rolloutplan.model.cluster import ResourceQuota, ScopeRequirement

    status: Data = data.get("status") or {}
    selector: Data = spec.get("scopeSelector") or {}
    return ResourceQuota(
        ref=ref,
        hard=_labels(spec.get("hard")),
        used=_labels(status.get("used")) if status.get("used") is not None else None,
        status_hard=_status_hard(data, status),
        scopes=tuple(str(scope) for scope in spec.get("scopes") or ()),
        scope_selector=tuple(
            ScopeRequirement(
                str(e.get("scopeName")), str(e.get("operator")), tuple(e.get("values") or ())
            )
            for e in map(_mapping, selector.get("matchExpressions") or ())
        ),
    )


def _status_hard(data: Data, status: Data) -> Labels | None:
    """The quota's status.hard; a quota from a cluster (a resourceVersion or a status) that
    has none yet has an empty one, which admission checks nothing against (None: a quota
    as written, whose status.hard the controller will copy from spec.hard)."""
    if status.get("hard") is not None:
        return _labels(status.get("hard"))
    metadata: Data = data.get("metadata") or {}
    return () if metadata.get("resourceVersion") or status else None


def _limit_range(data: Data, spec: Data, ref: ObjectRef) -> LimitRange:
    from rolloutplan.model.cluster import LimitRange, LimitRangeItem
    from rolloutplan.validate.apiserver.quota import with_defaults

    items = (with_defaults(_mapping(item)) for item in spec.get("limits") or ())
    return LimitRange(
        ref=ref,
        limits=tuple(
            LimitRangeItem(
                type=str(item.get("type")),
                default=_labels(item.get("default")),
                default_request=_labels(item.get("defaultRequest")),
                min=_labels(item.get("min")),
                max=_labels(item.get("max")),
            )
            for item in items
        ),
    )


def _budget(data: Data, spec: Data, ref: ObjectRef) -> PodDisruptionBudget:
    from rolloutplan.model.cluster import PodDisruptionBudget

    selector = spec.get("selector")
    minimum, maximum = spec.get("minAvailable"), spec.get("maxUnavailable")
    return PodDisruptionBudget(
        ref=ref,
        selector=None if selector is None else _selector(selector),
        min_available=None if minimum is None else IntOrPercent.parse(minimum),
        max_unavailable=None if maximum is None else IntOrPercent.parse(maximum),
    )


_NEIGHBOURS = {
    "HorizontalPodAutoscaler": _autoscaler,
    "ResourceQuota": _quota,
    "LimitRange": _limit_range,
    "PodDisruptionBudget": _budget,
}


def _deployment(data: Data, spec: Data, ref: ObjectRef) -> Deployment:
    return Deployment(
        ref=ref,
        replicas=_int(spec, "replicas", 1),
        selector=_selector(spec.get("selector")),
        template=_template(spec.get("template")),
        strategy=_strategy(spec.get("strategy")),
        min_ready_seconds=_int(spec, "minReadySeconds", 0),
        revision_history_limit=_int(spec, "revisionHistoryLimit", 10),
        progress_deadline_seconds=_int(spec, "progressDeadlineSeconds", 600),
        paused=bool(spec.get("paused", False)),
        applied_replicas=_applied_replicas(data, spec),
    )


LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def _applied_replicas(data: Data, spec: Data) -> int | None:
    """The spec.replicas ``kubectl apply`` sets, if any.  An object read from a cluster (it
    has a resourceVersion or a status) always has one, filled in by the server: there, the
    manifest last applied tells (without the annotation, nothing says it sets one)."""
    metadata: Data = data.get("metadata") or {}
    if not metadata.get("resourceVersion") and not data.get("status"):
        replicas = spec.get("replicas")
        return replicas if isinstance(replicas, int) else None
    applied = (metadata.get("annotations") or {}).get(LAST_APPLIED)
    if not isinstance(applied, str):
        return None
    try:
        last = json.loads(applied)
    except (ValueError, RecursionError):  # not JSON, or nested past the interpreter's limit
        return None
    last_spec = last.get("spec") if isinstance(last, dict) else None
    replicas = last_spec.get("replicas") if isinstance(last_spec, dict) else None
    return replicas if isinstance(replicas, int) and not isinstance(replicas, bool) else None


def _replica_set(data: Data, spec: Data, ref: ObjectRef) -> ReplicaSet:
    metadata: Data = data.get("metadata") or {}
    status: Data = data.get("status") or {}
    owner = next(
        (
            (str(o.get("kind")), str(o.get("name")))
            for o in metadata.get("ownerReferences") or ()
            if o.get("controller")
        ),
        None,
    )
    return ReplicaSet(
        ref=ref,
        replicas=_int(spec, "replicas", 1),
        selector=_selector(spec.get("selector")),
        template=_template(spec.get("template")),
        min_ready_seconds=_int(spec, "minReadySeconds", 0),
        labels=_labels(metadata.get("labels")),
        annotations=_labels(metadata.get("annotations")),
        owner=owner,
        created=str(metadata.get("creationTimestamp") or ""),
        status_replicas=status.get("replicas") if status else None,
        available_replicas=status.get("availableReplicas", 0) if status else None,
    )


def _service(spec: Data, ref: ObjectRef) -> Service:
    selector = spec.get("selector")
    return Service(
        ref=ref,
        type=spec.get("type") or "ClusterIP",
        selector=_labels(selector) if selector is not None else None,
        ports=tuple(_service_port(port) for port in spec.get("ports") or ()),
        cluster_ip=spec.get("clusterIP"),
        external_name=spec.get("externalName"),
    )


def _service_port(port: Data) -> ServicePort:
    target = port.get("targetPort")
    return ServicePort(
        port=int(port["port"]),
        target_port=port["port"] if target in (None, 0, "") else target,
        name=port.get("name"),
        protocol=port.get("protocol") or "TCP",
        node_port=port.get("nodePort"),
    )


def _strategy(raw: Data | None) -> DeploymentStrategy:
    raw = raw or {}
    kind = StrategyType(raw.get("type") or "RollingUpdate")
    if kind is StrategyType.RECREATE:
        return DeploymentStrategy(kind, None, None)
    rolling: Data = raw.get("rollingUpdate") or {}
    return DeploymentStrategy(
        kind,
        IntOrPercent.parse(rolling.get("maxSurge", "25%")),
        IntOrPercent.parse(rolling.get("maxUnavailable", "25%")),
    )


def _selector(raw: Data | None) -> LabelSelector:
    raw = raw or {}
    return LabelSelector(
        match_labels=_labels(raw.get("matchLabels")),
        match_expressions=tuple(
            SelectorRequirement(
                key=expression["key"],
                operator=SelectorOperator(expression["operator"]),
                values=tuple(expression.get("values") or ()),
            )
            for expression in raw.get("matchExpressions") or ()
        ),
    )


def _template(raw: Data | None) -> PodTemplate:
    raw = raw or {}
    metadata: Data = raw.get("metadata") or {}
    spec: Data = raw.get("spec") or {}
    return PodTemplate(
        labels=_labels(metadata.get("labels")),
        containers=tuple(_container(c) for c in spec.get("containers") or ()),
        init_containers=tuple(
            _container(c, sidecar=c.get("restartPolicy") == "Always")
            for c in spec.get("initContainers") or ()
        ),
        restart_policy=spec.get("restartPolicy") or "Always",
        termination_grace_period_seconds=_int(spec, "terminationGracePeriodSeconds", 30),
        fingerprint=_fingerprint(raw),
        anti_affinity=_anti_affinity(spec.get("affinity")),
        spread=_spread(spec.get("topologySpreadConstraints")),
        tolerations=_tolerations(spec.get("tolerations")),
        node_selector=_labels(spec.get("nodeSelector")),
        priority_class_name=spec.get("priorityClassName") or "",
        cross_namespace_affinity=_cross_namespace(spec.get("affinity")),
        runtime_class_name=spec.get("runtimeClassName") or "",
        pod_level_resources=bool(
            isinstance(spec.get("resources"), dict)
            and (spec["resources"].get("requests") or spec["resources"].get("limits"))
        ),
        node_affinity=_node_affinity(spec.get("affinity")),
        node_name=str(spec.get("nodeName") or ""),
    )


def _cross_namespace(raw: Data | None) -> bool:
    """Whether a pod affinity or anti-affinity term, required or preferred, names other
    namespaces or selects them."""
    for kind in ("podAffinity", "podAntiAffinity"):
        affinity = (raw or {}).get(kind) or {}
        terms = list(affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or ())
        for weighted in affinity.get("preferredDuringSchedulingIgnoredDuringExecution") or ():
            terms.append((weighted or {}).get("podAffinityTerm") or {})
        if any(t.get("namespaces") or t.get("namespaceSelector") is not None for t in terms):
            return True
    return False


def _anti_affinity(raw: Data | None) -> tuple[AntiAffinityTerm, ...]:
    """The required anti-affinity terms that keep matching pods in different domains of
    their topology key.  A term without a labelSelector matches no pod."""
    anti = (raw or {}).get("podAntiAffinity") or {}
    terms = anti.get("requiredDuringSchedulingIgnoredDuringExecution") or ()
    if not terms:
        return ()
    from rolloutplan.model.cluster import AntiAffinityTerm

    return tuple(
        AntiAffinityTerm(
            str(term["topologyKey"]),
            _selector(term["labelSelector"]),
            match_label_keys=_strings(term.get("matchLabelKeys")),
            mismatch_label_keys=_strings(term.get("mismatchLabelKeys")),
            namespaces=_strings(term.get("namespaces")),
            namespace_selector=None
            if term.get("namespaceSelector") is None
            else _selector(term["namespaceSelector"]),
        )
        for term in terms
        if term.get("topologyKey") and term.get("labelSelector") is not None
    )


def _strings(raw: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in raw or ())


def _node_affinity(raw: Data | None) -> tuple[NodeSelectorTerm, ...] | None:
    """The nodeSelectorTerms of the required node affinity (None: none is required)."""
    node = (raw or {}).get("nodeAffinity") or {}
    required = node.get("requiredDuringSchedulingIgnoredDuringExecution")
    if required is None:
        return None
    from rolloutplan.model.cluster import NodeSelectorTerm

    return tuple(
        NodeSelectorTerm(
            tuple(map(_node_requirement, map(_mapping, term.get("matchExpressions") or ()))),
            tuple(map(_node_requirement, map(_mapping, term.get("matchFields") or ()))),
        )
        for term in map(_mapping, _mapping(required).get("nodeSelectorTerms") or ())
    )


def _node_requirement(raw: Data) -> NodeRequirement:
    from rolloutplan.model.cluster import NodeRequirement

    return NodeRequirement(
        str(raw.get("key") or ""), str(raw.get("operator") or ""), _strings(raw.get("values"))
    )


def _spread(raw: Any) -> tuple[SpreadConstraint, ...]:
    """The DoNotSchedule topologySpreadConstraints, with the API's defaults (minDomains 1,
    nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore); ScheduleAnyway ones only score."""
    constraints = [
        item
        for item in map(_mapping, raw or ())
        if item.get("whenUnsatisfiable") == "DoNotSchedule"
    ]
    if not constraints:
        return ()
    from rolloutplan.model.cluster import SpreadConstraint

    return tuple(
        SpreadConstraint(
            max_skew=_int(item, "maxSkew", 1),
            topology_key=str(item.get("topologyKey") or ""),
            selector=None
            if item.get("labelSelector") is None
            else _selector(item["labelSelector"]),
            min_domains=_int(item, "minDomains", 1),
            match_label_keys=_strings(item.get("matchLabelKeys")),
            honor_node_affinity=item.get("nodeAffinityPolicy") != "Ignore",
            honor_node_taints=item.get("nodeTaintsPolicy") == "Honor",
        )
        for item in constraints
    )


def _tolerations(raw: Any) -> tuple[Toleration, ...]:
    if not raw:
        return ()
    from rolloutplan.model.cluster import Toleration

    return tuple(
        Toleration(
            str(item.get("key") or ""),
            str(item.get("operator") or "Equal"),
            str(item.get("value") or ""),
            str(item.get("effect") or ""),
            item["tolerationSeconds"] if type(item.get("tolerationSeconds")) is int else None,
        )
        for item in map(_mapping, raw or ())
    )


def node(data: Data, ref: ObjectRef) -> Node:
    """What scheduling reads of a Node (never validated: anything of the wrong type reads
    as absent)."""
    from rolloutplan.model.cluster import Node, Taint

    metadata = _mapping(data.get("metadata"))
    spec = _mapping(data.get("spec"))
    labels = metadata.get("labels")
    taints = spec.get("taints")
    return Node(
        ref=ref,
        labels=_labels(labels) if isinstance(labels, dict) else (),
        unschedulable=spec.get("unschedulable") is True,
        taints=tuple(
            Taint(str(t.get("key") or ""), str(t.get("value") or ""), str(t.get("effect") or ""))
            for t in map(_mapping, taints if isinstance(taints, list) else ())
        ),
    )


def runtime_class(data: Data, ref: ObjectRef) -> RuntimeClass:
    """The pod overhead of a RuntimeClass (never validated: anything of the wrong type
    reads as absent)."""
    from rolloutplan.model.cluster import RuntimeClass

    overhead = _mapping(data.get("overhead")).get("podFixed")
    fixed = overhead if isinstance(overhead, dict) else {}
    return RuntimeClass(ref=ref, overhead=_labels(fixed))


def _fingerprint(template: Data) -> str:
    """A digest of the template as canonical JSON, without the pod-template-hash label (the
    JSON itself, kept for every object, made the stored results twice as large)."""
    metadata = dict(template.get("metadata") or {})
    labels = {k: v for k, v in (metadata.get("labels") or {}).items() if k != HASH_LABEL}
    if labels:
        metadata["labels"] = labels
    else:
        metadata.pop("labels", None)
    canonical = (
        {**template, "metadata": metadata}
        if metadata
        else {k: v for k, v in template.items() if k != "metadata"}
    )
    return _digest(canonical)


def _digest(data: object) -> str:
    return blake2b(_canonical_json(data).encode(), digest_size=16).hexdigest()


# json.dumps(data, sort_keys=True, separators=(",", ":"), default=str) builds an encoder at
# each call, which cost more than encoding the small values digested here: the same C
# encoder, built once.  Without json's cycle check: the values come from the YAML loader,
# which builds none.
_ENCODE = (
    None
    if json.encoder.c_make_encoder is None
    else json.encoder.c_make_encoder(
        None, str, json.encoder.encode_basestring_ascii, None, ":", ",", True, False, True
    )
)


def _canonical_json(data: object) -> str:
    """``data`` as JSON with sorted keys and no spaces, as json.dumps writes it."""
    if _ENCODE is None:  # pragma: no cover - CPython always has the C encoder
        return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return "".join(_ENCODE(data, 0))


def _container(raw: Data, sidecar: bool = False) -> Container:
    lifecycle: Data = raw.get("lifecycle") or {}
    resources: Data = raw.get("resources") or {}
    return Container(
        name=raw.get("name", ""),
        image=raw.get("image", ""),
        ports=tuple(
            ContainerPort(
                container_port=port["containerPort"],
                name=port.get("name"),
                protocol=port.get("protocol") or "TCP",
            )
            for port in raw.get("ports") or ()
        ),
        readiness_probe=_probe(raw.get("readinessProbe")),
        liveness_probe=_probe(raw.get("livenessProbe")),
        startup_probe=_probe(raw.get("startupProbe")),
        has_pre_stop=bool(lifecycle.get("preStop")),
        pre_stop_sleep_seconds=_pre_stop_sleep(lifecycle.get("preStop")),
        requests=_labels(resources.get("requests")),
        limits=_labels(resources.get("limits")),
        env=_env(raw.get("env")),
        invocation=_digest({key: raw.get(key) for key in _INVOCATION}),
        sidecar=sidecar,
    )


def _env(raw: list[Data] | None) -> Labels:
    """Each variable once (a later definition wins, as in the kubelet), in the order of the
    first, with a short digest of what it is set to."""
    found: dict[str, str] = {}
    for var in raw or ():
        value, source = var.get("value"), var.get("valueFrom")
        if source is None and type(value) is str:
            digest = _VALUE_DIGESTS.get(value) or _value_digest(value)
        else:
            digest = _digest({"value": value, "valueFrom": source})[:16]
        found[str(var.get("name", ""))] = digest
    return tuple(found.items())


# The digests of the commonest variables, set to a text (a few values repeat in every
# file: "info", "true", "30"), up to _REMEMBERED of them
_REMEMBERED = 4096
_REMEMBERED_LENGTH = 256  # longer values are digested every time: the memory stays bounded
_VALUE_DIGESTS: dict[str, str] = {}


def _value_digest(value: str) -> str:
    """``_env``'s digest of a variable set to the text ``value``: its canonical JSON is
    written directly."""
    canonical = '{"value":' + json.encoder.encode_basestring_ascii(value) + ',"valueFrom":null}'
    digest = blake2b(canonical.encode(), digest_size=16).hexdigest()[:16]
    if len(value) <= _REMEMBERED_LENGTH and len(_VALUE_DIGESTS) < _REMEMBERED:
        _VALUE_DIGESTS[value] = digest
    return digest


def _pre_stop_sleep(hook: Data | None) -> int | None:
    """Seconds a preStop hook sleeps, when it is a sleep action or a shell ``sleep N``."""
    if not hook:
        return None
    sleep = hook.get("sleep")
    if isinstance(sleep, dict) and isinstance(sleep.get("seconds"), int):
        return int(sleep["seconds"])
    command = " ".join(str(part) for part in ((hook.get("exec") or {}).get("command") or ()))
    match = _SLEEP.search(command)
    return int(match.group(1)) if match else None


def _probe(raw: Data | None) -> Probe | None:
    if raw is None:
        return None
    handler = next((name for name in _PROBE_HANDLERS if raw.get(name) is not None), "")
    action: Data = raw.get(handler) or {}
    return Probe(
        handler=handler,
        port=action.get("port"),
        initial_delay_seconds=_int(raw, "initialDelaySeconds", 0),
        period_seconds=_int(raw, "periodSeconds", 10),
        timeout_seconds=_int(raw, "timeoutSeconds", 1),
        success_threshold=_int(raw, "successThreshold", 1),
        failure_threshold=_int(raw, "failureThreshold", 3),
        digest=_digest(raw)[:16],
    )


def _mapping(raw: Any) -> Data:
    """A list item as Go decodes it: null is an empty struct."""
    return raw if isinstance(raw, dict) else {}


def _labels(raw: Data | None) -> Labels:
    return tuple(sorted((str(k), str(v)) for k, v in (raw or {}).items()))


def _int(data: Data, key: str, default: int) -> int:
    value = data.get(key)
    return default if value is None else int(value)
