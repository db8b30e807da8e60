"""RP250-RP299: core/v1 Service, as the API server defaults, allocates and validates it."""

from __future__ import annotations

from rolloutplan.model.finding import Severity
from rolloutplan.rules.base import RuleInfo, Yaml, rule_doc

E = Severity.ERROR
W = Severity.WARNING

_PORTS_ERRORS: tuple[RuleInfo, ...] = (
    RuleInfo(
        "RP250",
        "invalid-service-type",
        E,
        "spec.type is not a Service type.",
        rule_doc(
            "Checks that `spec.type` is `ClusterIP`, `NodePort`, `LoadBalancer` or "
            "`ExternalName` (case matters). Leaving it out is fine: the server defaults it to "
            "`ClusterIP`.",
            "The API server rejects the Service: `spec.type: Unsupported value`.",
            "spec:\n  type: Loadbalancer",
            Yaml("spec:\n  type: LoadBalancer"),
        ),
    ),
    RuleInfo(
        "RP251",
        "service-ports-required",
        E,
        "A Service without ports that is neither headless nor ExternalName.",
        rule_doc(
            "Checks that `spec.ports` has at least one port, unless the Service is headless "
            "(`clusterIP: None`) or of type `ExternalName`.",
            "The API server rejects the Service: `spec.ports: Required value`. A cluster IP "
            "with no port would accept no traffic.",
            "spec:\n  selector:\n    app: web",
            Yaml("spec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n    targetPort: 8080"),
        ),
    ),
    RuleInfo(
        "RP252",
        "invalid-service-port",
        E,
        "A Service port number is out of range or its protocol is not TCP, UDP or SCTP.",
        rule_doc(
            "Checks each `spec.ports[].port` (1 to 65535) and `protocol` (`TCP`, `UDP` or "
            "`SCTP`, upper case; the default is `TCP`).",
            "The API server rejects the Service.",
            "ports:\n- port: 80\n  protocol: tcp",
            Yaml("ports:\n- port: 80\n  protocol: TCP"),
        ),
    ),
    RuleInfo(
        "RP253",
        "service-port-name-required",
        E,
        "A Service with several ports has a port without a name.",
        rule_doc(
            "Checks that every port has a `name` when the Service has more than one port. A "
            "single port may stay unnamed.",
            "The API server rejects the Service: `spec.ports[1].name: Required value`. Names "
            "tell the ports apart in Endpoints and DNS SRV records.",
            "ports:\n- name: http\n  port: 80\n- port: 443",
            Yaml("ports:\n- name: http\n  port: 80\n- name: https\n  port: 443"),
        ),
    ),
    RuleInfo(
        "RP254",
        "invalid-service-port-name",
        E,
        "A Service port name is not a DNS label.",
        rule_doc(
            "Checks that each port `name` is a DNS-1123 label: lower case letters, digits and "
            "`-`, at most 63 characters, starting and ending with a letter or digit. (Container "
            "port names follow a different, 15-character rule.)",
            "The API server rejects the Service.",
            "ports:\n- name: HTTP_main\n  port: 80",
            Yaml("ports:\n- name: http-main\n  port: 80"),
        ),
    ),
    RuleInfo(
        "RP255",
        "duplicate-service-port-name",
        E,
        "Two ports of a Service have the same name.",
        rule_doc(
            "Checks that port names are unique within the Service.",
            "The API server rejects the Service: `spec.ports[1].name: Duplicate value`.",
            "ports:\n- name: http\n  port: 80\n- name: http\n  port: 8080",
            Yaml("ports:\n- name: http\n  port: 80\n- name: http-alt\n  port: 8080"),
        ),
    ),
    RuleInfo(
        "RP256",
        "duplicate-service-port",
        E,
        "Two ports of a Service use the same port number and protocol.",
        rule_doc(
            "Checks that each (protocol, port) pair appears once. The same number under TCP "
            "and UDP (DNS on 53) is fine.",
            "The API server rejects the Service: `spec.ports[1]: Duplicate value`.",
            "ports:\n- name: http\n  port: 80\n  targetPort: 8080\n"
            "- name: admin\n  port: 80\n  targetPort: 9090",
            "Give each port its own number (`port: 9090` for admin).",
        ),
    ),
    RuleInfo(
        "RP257",
        "invalid-target-port",
        E,
        "A targetPort is neither a port number nor a valid port name.",
        rule_doc(
            "Checks each `targetPort`: a number from 1 to 65535, or the name of a container "
            "port (at most 15 lower case letters, digits and `-`, with at least one letter). A "
            'quoted number such as `"8080"` is a name, and not a valid one. Left out, it '
            "defaults to `port`.",
            "The API server rejects the Service.",
            'ports:\n- port: 80\n  targetPort: "8080"',
            Yaml("ports:\n- port: 80\n  targetPort: 8080"),
        ),
    ),
    RuleInfo(
        "RP258",
        "invalid-app-protocol",
        E,
        "A port's appProtocol is not a valid protocol name.",
        rule_doc(
            "Checks `appProtocol`: a qualified name such as `http`, `kubernetes.io/h2c` or "
            "`example.com/custom` (an optional DNS prefix and `/`, then letters, digits, `-`, "
            "`_`, `.`).",
            "The API server rejects the Service.",
            "ports:\n- port: 443\n  appProtocol: https+h2",
            Yaml("ports:\n- port: 443\n  appProtocol: https"),
        ),
    ),
)

_NODE_PORT_ERRORS: tuple[RuleInfo, ...] = (
    RuleInfo(
        "RP259",
        "node-port-not-allowed",
        E,
        "A ClusterIP Service sets a nodePort.",
        rule_doc(
            "Checks that no port of a `ClusterIP` Service sets a non-zero `nodePort`. "
            "`nodePort: 0` means unset and is accepted.",
            "The API server rejects the Service: `spec.ports[0].nodePort: Forbidden: may not "
            "be used when `type` is 'ClusterIP'`.",
            "spec:\n  type: ClusterIP\n  ports:\n  - port: 80\n    nodePort: 30080",
            "Use `type: NodePort` (or `LoadBalancer`), or remove the `nodePort`.",
        ),
    ),
    RuleInfo(
        "RP260",
        "duplicate-node-port",
        E,
        "A node port is requested twice in one Service.",
        rule_doc(
            "Checks that a `nodePort` (or the `healthCheckNodePort`) is not requested twice: "
            "validation refuses the same (protocol, nodePort) pair on two ports, and when the "
            "Service is created the allocator refuses a node port already reserved for another "
            "port of the same Service (only ports with the same `port` number share one).",
            "The API server rejects the Service: `Duplicate value`, or `provided port is "
            "already allocated`.",
            "ports:\n- name: http\n  port: 80\n  nodePort: 30080\n"
            "- name: https\n  port: 443\n  nodePort: 30080",
            "Give each port its own node port, or leave `nodePort` out to have one allocated.",
        ),
    ),
    RuleInfo(
        "RP261",
        "node-port-out-of-range",
        E,
        "A requested nodePort or healthCheckNodePort is outside the node-port range.",
        rule_doc(
            "Checks requested node ports and health-check ports against the cluster's "
            "`--service-node-port-range` (30000-32767 unless configured otherwise). The range "
            "is enforced when the port is allocated, not by validation, so it depends on the "
            "cluster; on update only ports the Service did not hold yet are checked.",
            "`kubectl apply` fails: `provided port is not in the valid range. The range of "
            "valid ports is 30000-32767`.",
            "spec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 8080",
            "Pick a port in the range (`nodePort: 30080`), or leave it out to get a free one.",
        ),
    ),
)

_ADDRESS_ERRORS: tuple[RuleInfo, ...] = (
    RuleInfo(
        "RP262",
        "invalid-cluster-ip",
        E,
        "clusterIP or clusterIPs is invalid, inconsistent or not allowed for the type.",
        rule_doc(
            "Checks the cluster IPs after the server copies `clusterIP` into `clusterIPs`: "
            "valid addresses, `None` (headless) only alone and not on NodePort or LoadBalancer, "
            "`clusterIPs[0]` equal to `clusterIP`, at most one address per family (two in all), "
            "each matching `ipFamilies`, and none at all on ExternalName. Errors are reported on "
            "`spec.clusterIPs`, as the server does, even when only `clusterIP` was written.",
            "The API server rejects the Service.",
            "spec:\n  type: LoadBalancer\n  clusterIP: None",
            "Drop `clusterIP: None` (a load balancer needs a cluster IP), or use `ClusterIP`.",
        ),
    ),
    RuleInfo(
        "RP263",
        "invalid-ip-families",
        E,
        "ipFamilies or ipFamilyPolicy is invalid or contradicts the cluster IPs.",
        rule_doc(
            "Checks `ipFamilies` (`IPv4`/`IPv6`, each once), `ipFamilyPolicy` (`SingleStack`, "
            "`PreferDualStack`, `RequireDualStack`), neither on ExternalName, and that "
            "`SingleStack` (the default when unset) does not come with two cluster IPs or two "
            "families. On update, releasing the secondary IP or family needs `SingleStack`.",
            "The API server rejects the Service.",
            "spec:\n  ipFamilies: [IPv4, IPv6]",
            Yaml("spec:\n  ipFamilyPolicy: PreferDualStack\n  ipFamilies: [IPv4, IPv6]"),
        ),
    ),
    RuleInfo(
        "RP264",
        "invalid-external-name",
        E,
        "An ExternalName Service has no externalName, or it is not a DNS name.",
        rule_doc(
            "Checks that an `ExternalName` Service sets `externalName` to a lower case DNS "
            "name (one trailing dot allowed).",
            "The API server rejects the Service.",
            "spec:\n  type: ExternalName\n  externalName: DB.Example.com",
            Yaml("spec:\n  type: ExternalName\n  externalName: db.example.com"),
        ),
    ),
    RuleInfo(
        "RP265",
        "invalid-session-affinity",
        E,
        "sessionAffinity or its ClientIP timeout is invalid.",
        rule_doc(
            "Checks `sessionAffinity` (`None` or `ClientIP`) and, for `ClientIP`, "
            "`sessionAffinityConfig.clientIP.timeoutSeconds` (1 to 86400; default 10800).",
            "The API server rejects the Service.",
            "spec:\n  sessionAffinity: ClientIP\n  sessionAffinityConfig:\n"
            "    clientIP:\n      timeoutSeconds: 0",
            "Use a timeout from 1 to 86400 seconds, or leave it out for 3 hours.",
        ),
    ),
    RuleInfo(
        "RP266",
        "invalid-external-ip",
        E,
        "An externalIPs entry is not a usable IP address.",
        rule_doc(
            "Checks each `externalIPs` entry: a valid IP address that is not unspecified "
            "(`0.0.0.0`, `::`), loopback, link-local or link-local multicast. Host names are "
            "not accepted.",
            "The API server rejects the Service.",
            "spec:\n  externalIPs: [127.0.0.1]",
            Yaml("spec:\n  externalIPs: [203.0.113.10]"),
        ),
    ),
)

_LOAD_BALANCER_ERRORS: tuple[RuleInfo, ...] = (
    RuleInfo(
        "RP267",
        "load-balancer-field-not-allowed",
        E,
        "A load-balancer-only field is set on a Service that is not a LoadBalancer.",
        rule_doc(
            "Checks that `loadBalancerSourceRanges` (or the "
            "`service.beta.kubernetes.io/load-balancer-source-ranges` annotation, even empty), "
            "`allocateLoadBalancerNodePorts` and `loadBalancerClass` are only set on "
            "`type: LoadBalancer`. The server reports the source ranges as "
            "`spec.LoadBalancerSourceRanges`.",
            "The API server rejects the Service: `Forbidden: may only be used when `type` is "
            "'LoadBalancer'`. On an update that changes the type away from LoadBalancer, "
            "unchanged values are cleared for you.",
            "spec:\n  type: NodePort\n  loadBalancerSourceRanges: [10.0.0.0/8]",
            "Use `type: LoadBalancer`, or remove the field.",
        ),
    ),
    RuleInfo(
        "RP268",
        "invalid-load-balancer-source-range",
        E,
        "A load balancer source range is not a CIDR.",
        rule_doc(
            "Checks each `loadBalancerSourceRanges` entry (surrounding spaces are tolerated) "
            "and each comma-separated entry of the source-ranges annotation: an address, `/`, "
            "and a prefix length that fits the family.",
            "The API server rejects the Service.",
            "spec:\n  loadBalancerSourceRanges: [10.0.0.0/33, office.example.com]",
            Yaml("spec:\n  loadBalancerSourceRanges: [10.0.0.0/8, 198.51.100.0/24]"),
        ),
    ),
    RuleInfo(
        "RP269",
        "invalid-load-balancer-class",
        E,
        "loadBalancerClass is not a valid class name.",
        rule_doc(
            "Checks `loadBalancerClass` on a LoadBalancer: a qualified name, usually a "
            "lower case DNS prefix and a name (`example.com/internal-lb`).",
            "The API server rejects the Service.",
            "spec:\n  type: LoadBalancer\n  loadBalancerClass: Example.com/LB",
            Yaml("spec:\n  type: LoadBalancer\n  loadBalancerClass: example.com/lb"),
        ),
    ),
    RuleInfo(
        "RP270",
        "invalid-external-traffic-policy",
        E,
        "externalTrafficPolicy is set where it does not apply, or has a bad value.",
        rule_doc(
            "Checks that `externalTrafficPolicy` is only set on externally accessible Services "
            "(NodePort, LoadBalancer, or ClusterIP with `externalIPs`) and is `Cluster` or "
            "`Local`. Those Services get `Cluster` by default.",
            "The API server rejects the Service.",
            "spec:\n  type: ClusterIP\n  externalTrafficPolicy: Local",
            "Remove it, or use `type: NodePort` or `LoadBalancer`.",
        ),
    ),
    RuleInfo(
        "RP271",
        "invalid-health-check-node-port",
        E,
        "healthCheckNodePort is set where it does not apply, or is not a port number.",
        rule_doc(
            "Checks that `healthCheckNodePort` is only set on a LoadBalancer with "
            "`externalTrafficPolicy: Local` (where the server allocates one when it is left "
            "out) and is from 1 to 65535.",
            "The API server rejects the Service.",
            "spec:\n  type: NodePort\n  externalTrafficPolicy: Local\n  healthCheckNodePort: 32000",
            "Remove it, or use `type: LoadBalancer`.",
        ),
    ),
    RuleInfo(
        "RP272",
        "invalid-internal-traffic-policy",
        E,
        "internalTrafficPolicy is not Cluster or Local.",
        rule_doc(
            "Checks `internalTrafficPolicy`: `Cluster` (the default) or `Local`.",
            "The API server rejects the Service.",
            "spec:\n  internalTrafficPolicy: NodeLocal",
            Yaml("spec:\n  internalTrafficPolicy: Local"),
        ),
    ),
    RuleInfo(
        "RP273",
        "invalid-traffic-distribution",
        E,
        "trafficDistribution is not a supported value.",
        rule_doc(
            "Checks `trafficDistribution`: `PreferSameZone`, `PreferSameNode` (both from "
            "Kubernetes 1.34 on: with `--kubernetes-version` 1.33 or older only `PreferClose` "
            "is accepted) or the older `PreferClose`.",
            "The API server rejects the Service.",
            "spec:\n  trafficDistribution: Random",
            Yaml("spec:\n  trafficDistribution: PreferSameZone"),
        ),
    ),
    RuleInfo(
        "RP274",
        "conflicting-topology-annotations",
        E,
        "The topology-mode and topology-aware-hints annotations disagree.",
        rule_doc(
            "Checks that `service.kubernetes.io/topology-mode` and the deprecated "
            "`service.kubernetes.io/topology-aware-hints`, when both are set, have the same "
            "value.",
            "The API server rejects the Service.",
            "metadata:\n  annotations:\n    service.kubernetes.io/topology-mode: Auto\n"
            "    service.kubernetes.io/topology-aware-hints: disabled",
            "Keep only `service.kubernetes.io/topology-mode`.",
        ),
    ),
)

_WARNINGS: tuple[RuleInfo, ...] = (
    RuleInfo(
        "RP290",
        "ineffective-service-field",
        W,
        "A Service field is accepted but ignored or dropped.",
        rule_doc(
            "Reports fields the server accepts without effect: a selector, externalIPs or node "
            "ports on an ExternalName Service, externalName on any other type, "
            "`sessionAffinityConfig` with `sessionAffinity: None` (removed by defaulting), and "
            "`loadBalancerIP`, `externalIPs` or `ClientIP` affinity on a headless Service.",
            "Nothing fails, which is the problem: the manifest says something the cluster "
            "does not do (an ExternalName Service with a selector still resolves to the "
            "external name, never to the selected pods).",
            "spec:\n  type: ExternalName\n  externalName: db.example.com\n  selector:\n    app: db",
            "Remove the field, or change the type so that it applies.",
        ),
    ),
    RuleInfo(
        "RP291",
        "non-standard-ip-address",
        W,
        "An IP address or CIDR is in a form the server accepts only with a warning.",
        rule_doc(
            "Reports what the API server warns about in cluster IPs, external IPs, "
            "`loadBalancerIP` and source ranges: IPv4 octets with leading zeros (read as decimal "
            "here, as octal by other software), IPv4-mapped IPv6 addresses, CIDRs with host "
            "bits set, and IPv6 not in canonical form.",
            "Such values are ambiguous, and future Kubernetes releases will reject them (the "
            "`StrictIPCIDRValidation` feature already does).",
            "spec:\n  externalIPs: [010.0.0.1]\n  loadBalancerSourceRanges: [10.0.0.1/8]",
            Yaml("spec:\n  externalIPs: [10.0.0.1]\n  loadBalancerSourceRanges: [10.0.0.0/8]"),
        ),
    ),
    RuleInfo(
        "RP292",
        "deprecated-service-field",
        W,
        "A deprecated Service annotation or value is used.",
        rule_doc(
            "Reports what the API server warns is deprecated: the "
            "`service.kubernetes.io/topology-aware-hints` annotation (use "
            "`service.kubernetes.io/topology-mode`) and `trafficDistribution: PreferClose` "
            "(use `PreferSameZone`; reported from Kubernetes 1.34 on, the first version that "
            "has it).",
            "Deprecated spellings may stop working in a later release.",
            "spec:\n  trafficDistribution: PreferClose",
            Yaml("spec:\n  trafficDistribution: PreferSameZone"),
        ),
    ),
)

SERVICE_RULES: tuple[RuleInfo, ...] = (
    *_PORTS_ERRORS,
    *_NODE_PORT_ERRORS,
    *_ADDRESS_ERRORS,
    *_LOAD_BALANCER_ERRORS,
    *_WARNINGS,
)
