"""RP401-RP406, RP408 and RP409: what each Service reaches, across all the given files
(RP407 is defined with the apply units)."""

from __future__ import annotations

from rolloutplan.model.finding import Severity
from rolloutplan.rules.base import RuleInfo, Yaml, rule_doc

REACHABILITY_RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "RP401",
        "service-selects-nothing",
        Severity.ERROR,
        "A Service's selector no longer matches the workload made for it.",
        rule_doc(
            "Resolves each Service's selector against every pod template in the given files "
            "(Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs, "
            "ReplicationControllers, Argo Rollouts and bare Pods, with the labels their "
            "controllers add, such as a StatefulSet's `statefulset.kubernetes.io/pod-name`) "
            "in the Service's namespace. When none matches, this is an error only with proof "
            "from the files: a workload made for the Service (it has the Service's name, "
            "give or take a suffix that names a kind, such as `-svc`, `-headless` or "
            "`-deployment`, but not one that says how it is exposed, such as `-internal` or "
            "`-metrics`, whose pods may be another component's; or one label value differs "
            "from the selector's by a typo, such as `frontned`: case, one letter, or two "
            "letters in a value of eight or more that starts alike, so `internal` is no typo "
            "of `external`; and no other Service selects it) carries a label that contradicts "
            "the selector, and no "
            "custom resource in the namespace could be the pods' source. A label the "
            "template lacks altogether is no proof (some pods are labelled at run time, as "
            "Patroni adds `role: master`). Otherwise see RP408 and RP409. Services without a "
            "selector (endpoints managed by hand) and ExternalName Services are not checked. "
            "The check only knows the files it is given: run it over the whole manifest set "
            "(the pre-commit hook passes every file in one process).",
            "A selector that matches nothing gives the Service no endpoints: every connection "
            "to it fails, and nothing in Kubernetes reports an error.",
            "kind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n"
            "    app: web-frontend   # Deployment web's pods: app=web",
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
            "port's protocol) in the container ports of every pod template the Service "
            "selects, and suggests a declared name that differs by case or a letter or two "
            '(`did you mean "http"?`). Pods made by an operator from a custom resource are '
            "not checked: the operator declares their ports.",
            "The endpoints controller resolves a named port per pod; pods without that name get "
            "no endpoint for the port, so traffic to it goes only to the other pods, or nowhere.",
            "ports:\n- port: 80\n  targetPort: htpp   # the container port is named http",
            "Name the container port as the Service does (`http`), or use its number.",
        ),
    ),
    RuleInfo(
        "RP403",
        "target-port-not-declared",
        Severity.WARNING,
        "A numeric targetPort is neither declared nor used by a selected pod template.",
        rule_doc(
            "Reports a numeric `targetPort` (or the default, the Service `port`) that no "
            "container of a selected pod template declares in `ports`, unless the template "
            "shows the app using that port: a probe on it (`httpGet`, `tcpSocket` or `grpc`), "
            "an environment variable named for a port whose value is the number "
            "(`PORT=8080`, `HTTP_PORT=8080`), or a value, command or argument that names it "
            "after a colon (`--listen=0.0.0.0:8080`, `http://+:8080`) or after a flag named "
            "for a port (`--port=8080`, `--http-port 8080`, `-Dserver.port=8080`, "
            "`-p 8080`): a name with the word port, listen, addr, address or bind. A number "
            "after any other flag (`--timeout=8080`, `--workers 80`) is no evidence.",
            "Declaring container ports is optional, so traffic still arrives if the app listens "
            "there; but when nothing in the template mentions the port, it is usually a wrong "
            "number, and it is the one case nothing else catches before traffic fails.",
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
    RuleInfo(
        "RP408",
        "service-pods-in-other-namespace",
        Severity.WARNING,
        "A Service's selector matches pods only in another namespace.",
        rule_doc(
            "Reports a Service whose selector matches no pod template of its own namespace "
            "but matches one in another namespace of the given files, and names that "
            "namespace. Objects without `metadata.namespace` are in the namespace of "
            "`--namespace` (default `default`).",
            "A Service selects pods of its own namespace only, so it has no endpoints. Most "
            "often the Service or the workload lacks `metadata.namespace`, or the files are "
            "applied with another `-n` than the one they were written for.",
            "kind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector:\n"
            "    app: web   # Deployment web has no namespace: it goes to default",
            Yaml(
                "kind: Deployment\nmetadata:\n  name: web\n  namespace: shop   "
                "# the Service's namespace"
            ),
        ),
    ),
    RuleInfo(
        "RP409",
        "service-pods-not-in-inputs",
        Severity.INFO,
        "No pod template in the given files matches a Service's selector; its pods may come "
        "from elsewhere.",
        rule_doc(
            "Reports a Service whose selector matches no pod template in the given files when "
            "that is not proven to be a mistake (see RP401), and says where the pods may come "
            "from: a custom resource in the namespace whose operator creates pods (named; "
            "a custom resource that the selector names, such as `alertmanager: main` for "
            "Alertmanager `main`, and whose known pod labels agree, counts as the Service's "
            "pods and gives no finding), a Helm chart or an operator (from the selector's label "
            "keys), or another repository; with the closest workload in the files. Nothing is "
            "reported when no workload in the namespace shares a label key with the selector "
            "and no custom resource could make the pods: the pods are deployed from elsewhere.",
            "Usually nothing: the pods come from an operator, a chart or another repository. "
            "But when they should be in the given files, the Service has no endpoints. It is "
            "info, not a warning, because the files cannot tell which: on real repositories "
            "the pods were elsewhere every time.",
            "# Deployment web's pods: app.kubernetes.io/name=web\nkind: Service\nspec:\n"
            "  selector:\n    app.kubernetes.io/name: dcgm-exporter   # a chart deploys them",
            "Nothing, if the pods are deployed from elsewhere; otherwise make the selector a "
            "subset of the pod template's labels, or add the manifests that create the pods "
            "to the inputs.",
        ),
    ),
)
