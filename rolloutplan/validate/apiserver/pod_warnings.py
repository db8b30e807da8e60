"""What the API server accepts in a pod template but answers with a warning, which kubectl
prints as ``Warning: <field>: <message>`` (the server's GetWarningsForPodTemplate): RP239-RP248.

The checks read the template after defaulting (a port's protocol is TCP when unset); each
finding is placed at the field the server names, and its message gives the server's meaning
and the fix.  RP240 leaves out two ports equal down to a non-zero hostPort: the server
refuses those (RP221), and a refused object gets no warnings.
"""

from __future__ import annotations

import math
from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.memo import remembered
from rolloutplan.model.quantity import parse_quantity
from rolloutplan.model.source import FieldPath, MapKey, format_field_path
from rolloutplan.validate.apiserver.access import (
    dicts,
    integer,
    listing,
    mapping,
    present,
    text,
)

DEPRECATED_NODE_LABEL = "RP239"
PORT_DEFINITION = "RP240"
NULL_SELECTOR = "RP241"
DEPRECATED_ANNOTATION = "RP242"
DEPRECATED_VOLUME = "RP243"
HIDDEN_ENV = "RP244"
FRACTIONAL_BYTES = "RP245"
DUPLICATE_HOST_ALIAS = "RP246"
PULL_SECRET_NAME = "RP247"
NEGATIVE_GRACE = "RP248"

TEMPLATE: FieldPath = ("spec", "template")
POD: FieldPath = (*TEMPLATE, "spec")
ANNOTATIONS: FieldPath = (*TEMPLATE, "metadata", "annotations")
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")  # the server's order
REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"

# the server's list of deprecated node labels, with what it says of each
NODE_LABELS = {
    "beta.kubernetes.io/arch": 'deprecated since v1.14; use "kubernetes.io/arch" instead',
    "beta.kubernetes.io/os": 'deprecated since v1.14; use "kubernetes.io/os" instead',
    "failure-domain.beta.kubernetes.io/region": (
        'deprecated since v1.17; use "topology.kubernetes.io/region" instead'
    ),
    "failure-domain.beta.kubernetes.io/zone": (
        'deprecated since v1.17; use "topology.kubernetes.io/zone" instead'
    ),
    "beta.kubernetes.io/instance-type": (
        'deprecated since v1.17; use "node.kubernetes.io/instance-type" instead'
    ),
    "app.kubernetes.io/created-by": "deprecated since v1.9",
    "scheduler.alpha.kubernetes.io/preferAvoidPods": (
        "deprecated since v1.22; use taints and tolerations instead"
    ),
    "node-role.kubernetes.io/master": (
        'deprecated; use "node-role.kubernetes.io/control-plane" instead'
    ),
}
SYSCTLS_FIELD = 'non-functional in v1.11+; use the "sysctls" field of securityContext instead'
ANNOTATIONS_REPLACED = {
    "scheduler.alpha.kubernetes.io/critical-pod": (
        'non-functional in v1.16+; use the "priorityClassName" field instead'
    ),
    "security.alpha.kubernetes.io/sysctls": SYSCTLS_FIELD,
    "security.alpha.kubernetes.io/unsafe-sysctls": SYSCTLS_FIELD,
}
SECCOMP_POD = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER = "container.seccomp.security.alpha.kubernetes.io/"
APPARMOR_CONTAINER = "container.apparmor.security.beta.kubernetes.io/"
SECCOMP_MESSAGE = 'non-functional in v1.27+; use the "seccompProfile" field instead'
APPARMOR_MESSAGE = 'deprecated since v1.30; use the "appArmorProfile" field instead'
CSI = "use a CSI driver for this storage instead"
VOLUME_PLUGINS = {
    "photonPersistentDisk": f"deprecated in v1.11, non-functional in v1.16+; {CSI}",
    "gitRepo": (
        "deprecated in v1.11; clone the repository in an init container into an emptyDir "
        "volume instead"
    ),
    "scaleIO": f"deprecated in v1.16, non-functional in v1.22+; {CSI}",
    "flocker": f"deprecated in v1.22, non-functional in v1.25+; {CSI}",
    "storageos": f"deprecated in v1.22, non-functional in v1.25+; {CSI}",
    "quobyte": f"deprecated in v1.22, non-functional in v1.25+; {CSI}",
    "glusterfs": f"deprecated in v1.25, non-functional in v1.26+; {CSI}",
    "cephfs": f"deprecated in v1.28, non-functional in v1.31+; {CSI}",
    "rbd": f"deprecated in v1.28, non-functional in v1.31+; {CSI}",
}
BYTE_RESOURCES = ("memory", "ephemeral-storage")


def warnings(template: dict[str, Any]) -> list[Violation]:
    """The server's warnings for a (defaulted) Deployment or ReplicaSet pod template."""
    spec = mapping(template, "spec")
    annotations = mapping(mapping(template, "metadata"), "annotations")
    # a check is skipped where none of the fields it reads is set: it would find nothing
    found = []
    if not SCHEDULING_FIELDS.isdisjoint(spec):
        found += _node_labels(spec)
        found += _null_selectors(spec)
    if annotations and _deprecated_keys(annotations):
        found += _annotations(annotations, spec)
    if "volumes" in spec:
        found += _volumes(spec)
    if not LIST_FIELDS.isdisjoint(spec):
        found += _pod_lists(spec)
    if "overhead" in spec:
        found += _fractional(mapping(spec, "overhead"), (*POD, "overhead"))
    found += _containers(spec)
    if not _distinct_ports(spec):
        found += _ports(spec)
    return found + _grace(spec)


SCHEDULING_FIELDS = frozenset(("nodeSelector", "affinity", "topologySpreadConstraints"))
LIST_FIELDS = frozenset(("hostAliases", "imagePullSecrets"))
CONTAINER_PREFIXES = (SECCOMP_CONTAINER, APPARMOR_CONTAINER)


def _deprecated_keys(annotations: dict[str, Any]) -> bool:
    """Some key that ``_annotations`` may report (or one it cannot rule out)."""
    for key in annotations:
        if key.__class__ is not str or key in ANNOTATIONS_REPLACED or key == SECCOMP_POD:
            return True
        if key.startswith(CONTAINER_PREFIXES):
            return True
    return False


def _distinct_ports(spec: dict[str, Any]) -> bool:
    """Every port of every container a mapping without hostIP, and no containerPort and
    protocol twice: ``_ports`` would find nothing."""
    seen = set()
    count = 0
    for key in CONTAINER_LISTS:
        for container in listing(spec, key):
            ports = container.get("ports") if isinstance(container, dict) else None
            if not ports:
                continue
            if not isinstance(ports, list):
                return False
            for port in ports:
                if not isinstance(port, dict) or port.get("hostIP"):
                    return False
                number, protocol = port.get("containerPort"), port.get("protocol")
                number = number if isinstance(number, int) and not isinstance(number, bool) else 0
                seen.add((number, protocol if isinstance(protocol, str) else ""))  # as _ports
                count += 1
    return len(seen) == count


def _node_label(path: FieldPath, key: str, *, at_key: bool = False) -> list[Violation]:
    if key not in NODE_LABELS:
        return []
    message = f"{key} is {NODE_LABELS[key]}"
    return [Violation(DEPRECATED_NODE_LABEL, message, path, at_key=at_key)]


def _node_labels(spec: dict[str, Any]) -> list[Violation]:
    found = []
    for key in mapping(spec, "nodeSelector"):
        found += _node_label((*POD, "nodeSelector", MapKey(key)), str(key), at_key=True)
    node = mapping(mapping(spec, "affinity"), "nodeAffinity")
    where = (*POD, "affinity", "nodeAffinity")
    for i, term in dicts(mapping(node, REQUIRED), "nodeSelectorTerms"):
        found += _term_keys(term, (*where, REQUIRED, "nodeSelectorTerms", i))
    for i, weighted in dicts(node, PREFERRED):
        found += _term_keys(mapping(weighted, "preference"), (*where, PREFERRED, i, "preference"))
    for i, constraint in dicts(spec, "topologySpreadConstraints"):
        key = (*POD, "topologySpreadConstraints", i, "topologyKey")
        found += _node_label(key, text(constraint, "topologyKey"))
    return found


def _term_keys(term: dict[str, Any], path: FieldPath) -> list[Violation]:
    found = []
    for j, expression in dicts(term, "matchExpressions"):
        found += _node_label((*path, "matchExpressions", j, "key"), text(expression, "key"))
    return found


def _null_selectors(spec: dict[str, Any]) -> list[Violation]:
    """Terms without a labelSelector: the server reads that as matching no pod at all."""
    paths: list[FieldPath] = [
        (*POD, "topologySpreadConstraints", i)
        for i, constraint in dicts(spec, "topologySpreadConstraints")
        if not present(constraint, "labelSelector")
    ]
    affinity = mapping(spec, "affinity")
    for kind in ("podAffinity", "podAntiAffinity"):
        terms = mapping(affinity, kind)
        paths += [
            (*POD, "affinity", kind, REQUIRED, i)
            for i, term in dicts(terms, REQUIRED)
            if not present(term, "labelSelector")
        ]
        paths += [
            (*POD, "affinity", kind, PREFERRED, i, "podAffinityTerm")
            for i, term in dicts(terms, PREFERRED)
            if not present(mapping(term, "podAffinityTerm"), "labelSelector")
        ]
    message = (
        "a null labelSelector results in matching no pod, so this term counts no pods; set "
        "labelSelector (often to the pod's own labels)"
    )
    return [Violation(NULL_SELECTOR, message, (*path, "labelSelector")) for path in paths]


def _annotations(annotations: dict[str, Any], spec: dict[str, Any]) -> list[Violation]:
    """Annotations that fields replaced; seccomp and AppArmor ones only when the field they
    stand for is not set (the server then ignores the annotation silently)."""
    found = [(key, why) for key, why in ANNOTATIONS_REPLACED.items() if key in annotations]
    pod_context = mapping(spec, "securityContext")
    if SECCOMP_POD in annotations and not present(pod_context, "seccompProfile"):
        found.append((SECCOMP_POD, f"{SECCOMP_MESSAGE} (in the pod's securityContext)"))
    for key in CONTAINER_LISTS:
        for _, container in dicts(spec, key):
            name, context = text(container, "name"), mapping(container, "securityContext")
            unset = {
                SECCOMP_CONTAINER: (SECCOMP_MESSAGE, not present(context, "seccompProfile")),
                APPARMOR_CONTAINER: (
                    APPARMOR_MESSAGE,
                    not present(context, "appArmorProfile")
                    and not present(pod_context, "appArmorProfile"),
                ),
            }
            for prefix, (message, applies) in unset.items():
                if applies and prefix + name in annotations:
                    where = f"in the securityContext of container {name!r}"
                    found.append((prefix + name, f"{message} ({where})"))
    return [
        Violation(DEPRECATED_ANNOTATION, message, (*ANNOTATIONS, MapKey(key)), at_key=True)
        for key, message in found
    ]


def _volumes(spec: dict[str, Any]) -> list[Violation]:
    return [
        Violation(DEPRECATED_VOLUME, message, (*POD, "volumes", i, plugin), at_key=True)
        for i, volume in dicts(spec, "volumes")
        if not VOLUME_PLUGINS.keys().isdisjoint(volume)
        for plugin, message in VOLUME_PLUGINS.items()
        if present(volume, plugin)
    ]


def _pod_lists(spec: dict[str, Any]) -> list[Violation]:
    found = []
    seen: set[str] = set()
    for i, alias in dicts(spec, "hostAliases"):
        ip = text(alias, "ip")
        if ip in seen:
            message = f'duplicate ip "{ip}": list all its hostnames in the first entry with it'
            found.append(Violation(DUPLICATE_HOST_ALIAS, message, (*POD, "hostAliases", i, "ip")))
        seen.add(ip)
    names: set[str] = set()
    for i, secret in dicts(spec, "imagePullSecrets"):
        name, where = text(secret, "name"), (*POD, "imagePullSecrets", i, "name")
        if name in names:
            message = f'duplicate name "{name}": remove this entry'
            found.append(Violation(PULL_SECRET_NAME, message, where))
        names.add(name)
        if not name:
            message = 'invalid empty name "": name the Secret that holds the registry credentials'
            found.append(Violation(PULL_SECRET_NAME, message, where))
    return found


def _containers(spec: dict[str, Any]) -> list[Violation]:
    found = []
    for key in CONTAINER_LISTS:
        for i, container in dicts(spec, key):
            where = (*POD, key, i)
            resources = mapping(container, "resources")
            for part in ("limits", "requests"):
                found += _fractional(mapping(resources, part), (*where, "resources", part))
            found += _hidden_env(container, where)
    return found


def _fractional(resources: dict[str, Any], path: FieldPath) -> list[Violation]:
    """Memory and ephemeral storage whose value in thousandths (rounded up, as the server's
    MilliValue does) is not a whole number of bytes."""
    found = []
    for resource in BYTE_RESOURCES:
        if resource not in resources:
            continue
        written = resources[resource]
        if _whole_bytes(written):
            continue
        message = f'fractional byte value "{written}" is invalid, must be an integer'
        if str(written).endswith("m"):
            message += ' ("m" means thousandths; for mebibytes write "Mi", for megabytes "M")'
        else:
            message += " (bytes are counted whole; round it)"
        found.append(Violation(FRACTIONAL_BYTES, message, (*path, MapKey(resource))))
    return found


@remembered(1024)  # manifests repeat a few sizes ("128Mi")
def _whole_bytes(written: Any) -> bool:
    """Not a quantity, or one whose thousandths (rounded up) make whole bytes."""
    value = parse_quantity(written)
    return value is None or math.ceil(value * 1000) % 1000 == 0


def _hidden_env(container: dict[str, Any], path: FieldPath) -> list[Violation]:
    """A later env entry of an existing name replaces it, unless it extends it: a plain
    value that refers to the earlier one as $(NAME) and is not only that reference."""
    env = container.get("env")
    if not env or not isinstance(env, list):
        return []
    names = {
        name
        for item in env
        if isinstance(item, dict) and (name := item.get("name")).__class__ is str
    }
    if len(names) == len(env):
        return []  # each entry a mapping, named with a string of its own
    found = []
    seen: set[str] = set()
    for i, variable in dicts(container, "env"):
        name = text(variable, "name")
        if name not in seen:
            seen.add(name)
            continue
        value, reference = text(variable, "value"), f"$({name})"
        extends = not present(variable, "valueFrom") and value != reference and reference in value
        if not extends:
            message = (
                f'hides previous definition of "{name}", which may be dropped when using apply: '
                "keep one entry for each name"
            )
            found.append(Violation(HIDDEN_ENV, message, (*path, "env", i)))
    return found


def _ports(spec: dict[str, Any]) -> list[Violation]:
    """Ports of the pod's containers that declare one containerPort and protocol twice."""
    found = []
    declared: dict[tuple[int, str], list[tuple[FieldPath, dict[str, Any]]]] = {}
    for key in CONTAINER_LISTS:
        for i, container in dicts(spec, key):
            for j, port in dicts(container, "ports"):
                where = (*POD, key, i, "ports", j)
                if text(port, "hostIP") and not integer(port, "hostPort"):
                    message = "hostIP set without hostPort: it has no effect; set hostPort too"
                    found.append(Violation(PORT_DEFINITION, message, (*where, "hostIP")))
                same = (integer(port, "containerPort"), text(port, "protocol"))
                for other, earlier in declared.get(same, []):
                    message = _port_clash(port, earlier, other)
                    if message:
                        found.append(Violation(PORT_DEFINITION, message, where))
                declared.setdefault(same, []).append((where, port))
    return found


def _port_clash(port: dict[str, Any], earlier: dict[str, Any], where: FieldPath) -> str:
    host_port, other_host_port = integer(port, "hostPort"), integer(earlier, "hostPort")
    host_ip, other_host_ip = text(port, "hostIP"), text(earlier, "hostIP")
    other = format_field_path(where)
    number = f"{integer(port, 'containerPort')}/{text(port, 'protocol')}"
    if host_ip == other_host_ip and host_port == other_host_port:
        if host_port:
            return ""  # the server refuses it (RP221)
        return f"duplicate port definition with {other}: {number} is declared twice; keep one"
    if not host_port or not other_host_port:
        return (
            f"overlapping port definition with {other}: {number} is declared twice, once "
            "without hostPort; keep the one with hostPort"
        )
    if host_port == other_host_port and bool(host_ip) != bool(other_host_ip):
        return (
            f"dangerously ambiguous port definition with {other}: hostPort {host_port} is "
            "bound on one hostIP by one and on every address by the other, and which applies "
            "is undefined; keep one"
        )
    return ""


def _grace(spec: dict[str, Any]) -> list[Violation]:
    if integer(spec, "terminationGracePeriodSeconds") >= 0:
        return []
    message = (
        "must be >= 0; negative values are invalid and will be treated as 1 (pods get one "
        "second to stop); set the seconds they need to shut down"
    )
    return [Violation(NEGATIVE_GRACE, message, (*POD, "terminationGracePeriodSeconds"))]
