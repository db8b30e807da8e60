"""RP401-RP406: what each Service reaches, across all the given files."""

from __future__ import annotations

from rolloutplan.model.finding import Severity
from rolloutplan.rules.base import RuleInfo, rule_doc

REACHABILITY_RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "RP401",
        "service-selects-nothing",
        Severity.ERROR,
        "A Service's selector matches no pod template in the given files.",
        rule_doc(
            "Resolves each Service's selector against every pod template in the given files "
            "(Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs, "
            "ReplicationControllers and bare Pods) in the Service's namespace. Services without "
            "a selector (endpoints managed by hand) and ExternalName Services are not checked. "
            "The check only knows the files it is given: run it over the whole manifest set "
            "(the pre-commit hook passes every file in one process).",
            "A selector that matches nothing gives the Service no endpoints: every connection "
            "to it fails, and nothing in Kubernetes reports an error.",
            "kind: Service\nspec:\n  selector:\n    app: web-frontend   # pods: app=web",
            "Make the selector a subset of the pod template's labels (`app: web`).",
        ),
    ),
    RuleInfo(
        "RP402",
        "target-port-not-found",
        Severity.ERROR,
        "A named targetPort names no container port of a selected pod template.",
        rule_doc(
            "For a Service port whose `targetPort` is a name, looks the name up (with the "
            "port's protocol) in the container ports of every pod template the Service selects.",
            "The endpoints controller resolves a named port per pod; pods without that name get "
            "no endpoint for the port, so traffic to it goes only to the other pods, or nowhere.",
            "ports:\n- port: 80\n  targetPort: http   # the container port is named web",
            "Name the container port `http`, or use its number.",
        ),
    ),
    RuleInfo(
        "RP403",
        "target-port-not-declared",
        Severity.WARNING,
        "A numeric targetPort is not declared by a selected pod template.",
        rule_doc(
            "Reports a numeric `targetPort` (or the default, the Service `port`) that no "
            "container of a selected pod template declares in `ports`.",
            "Declaring container ports is optional, so traffic still arrives if the app listens "
            "there; but a mismatch is usually a wrong number, and it is the one case nothing "
            "else catches before traffic fails.",
            "ports:\n- port: 80          # targetPort defaults to 80; the container declares 8080",
            "Set `targetPort: 8080`, or declare the port the app listens on.",
        ),
    ),
    RuleInfo(
        "RP404",
        "target-port-protocol-mismatch",
        Severity.WARNING,
        "The container declares the target port with another protocol.",
        rule_doc(
            "Reports a Service port whose target container port is declared only with a "
            "different protocol (for example the Service port is TCP, the container port UDP).",
            "Traffic of the Service's protocol reaches a port the app serves with another one.",
            "ports:\n- port: 53\n  protocol: TCP     # the container declares 53/UDP only",
            "Add a Service port for each protocol the app serves.",
        ),
    ),
    RuleInfo(
        "RP405",
        "node-port-collision",
        Severity.ERROR,
        "Two Services in the given files ask for the same nodePort.",
        rule_doc(
            "Reports nodePorts (with protocol) that more than one NodePort or LoadBalancer "
            "Service in the given files requests.",
            "nodePorts are allocated cluster-wide: whichever Service comes second is rejected "
            'with "provided port is already allocated".',
            "# two Services\nports:\n- port: 80\n  nodePort: 30080",
            "Give each Service its own nodePort, or leave it out to have one allocated.",
        ),
    ),
    RuleInfo(
        "RP406",
        "service-selects-several-workloads",
        Severity.INFO,
        "A Service selects the pods of more than one workload.",
        rule_doc(
            "Reports a Service whose selector matches the pod templates of several workloads.",
            "That is how canaries and blue/green switches are built, and then it is intended; "
            "otherwise a too-broad selector sends traffic to pods that serve something else.",
            "selector:\n  tier: frontend   # both web and admin pods carry tier: frontend",
            "Add a label that only the intended pods carry (`app: web`), or waive the finding "
            "on the Service with a reason.",
        ),
    ),
)
