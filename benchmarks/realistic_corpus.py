"""Write a seeded corpus of realistic manifests with realistic cross-file findings.

    python benchmarks/realistic_corpus.py OUT_DIR [--documents 5000] [--seed 1] [--clean]

The tree is teams/TEAM/APP/ENV/ (staging and prod, each in its own namespace), 1 to 6
documents a file.  Deployments are about 100 lines (probes, resources, env with valueFrom,
volumes and mounts, sidecars, init containers, annotations, securityContext); some apps
have a canary Deployment beside the stable one, a worker, a ReplicaSet, or several
Services with named ports and targetPorts.  Several teams share each namespace and the label
keys app, tier and component, so that selectors meet across files.

The defects, drawn at fixed rates whether or not --clean is given (so both corpora hold the
same documents, apart from the fix): a stable Deployment whose selector also takes its
canary's pods (RP307) and the Service over both (RP406); two teams selecting app: api in one
namespace (RP307, RP406); a named targetPort the containers lack (RP402); a sidecar without a
readinessProbe (RP301); a mistyped field or a port as a string (RP102, RP101); a Deployment
left behind in a second file of its directory (RP407).  --clean writes every document fixed:
`rolloutplan lint` reports nothing on it.  5,000 documents are about 13.5 MB in 1,650 files.
"""

from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

TEAMS = ("checkout", "catalog", "identity", "search", "billing", "growth", "platform",
         "ledger", "notify", "media", "ads", "support", "fraud", "mobile", "data",
         "infra")  # fmt: skip
NAMESPACES = ("shop", "payments", "discovery", "core")
APPS = ("api", "web", "gateway", "worker", "indexer", "scheduler", "cart", "orders",
        "profile", "session", "pricing", "reports", "mailer", "uploader", "feed",
        "auth")  # fmt: skip
QUALIFIERS = ("", "-admin", "-sync", "-v2", "-internal")
SHARED_APPS = ("api", "web")  # names several teams give their apps: where selectors meet
TIERS = {"web": "frontend", "gateway": "frontend", "worker": "backend", "indexer": "backend"}
ENVS = ("staging", "prod")
# the rates of the defects, per app (of about 250 apps in 5,000 documents) or per container
RATES = {"canary": 0.18, "canary-overlap": 0.15, "shared-app-overlap": 0.2,
         "bad-target-port": 0.02, "sidecar-no-probe": 0.03, "typo": 0.005,
         "string-port": 0.005, "left-behind": 0.01}  # fmt: skip


@dataclass
class Defects:
    """What is wrong with one app in one environment (nothing, with --clean)."""

    canary_overlap: bool = False
    shared_overlap: bool = False
    bad_target_port: bool = False
    sidecar_no_probe: bool = False
    typo: bool = False
    string_port: bool = False
    left_behind: bool = False


@dataclass
class App:
    team: str
    name: str  # the app's short name, its label value when selectors overlap
    namespace: str
    env: str
    canary: bool
    worker: bool
    replicaset: bool
    metrics: bool
    defects: Defects
    rng: random.Random
    files: dict[str, list[str]] = field(default_factory=dict)

    @property
    def full(self) -> str:
        return f"{self.team}-{self.name}"

    @property
    def app_label(self) -> str:
        """Teams sharing an app name label their pods app: NAME; the fix is a unique value."""
        return self.name if self.defects.shared_overlap else self.full


def draw_defects(rng: random.Random, app: str, canary: bool) -> Defects:
    """Draw every defect (the same draws with --clean)."""
    return Defects(
        canary_overlap=canary and rng.random() < RATES["canary-overlap"],
        shared_overlap=app in SHARED_APPS and rng.random() < RATES["shared-app-overlap"],
        bad_target_port=rng.random() < RATES["bad-target-port"],
        sidecar_no_probe=rng.random() < RATES["sidecar-no-probe"],
        typo=rng.random() < RATES["typo"],
        string_port=rng.random() < RATES["string-port"],
        left_behind=rng.random() < RATES["left-behind"],
    )


def labels(app: App, indent: int, track: str | None, component: str) -> str:
    pad = " " * indent
    lines = [f"app: {app.app_label}", f"tier: {TIERS.get(app.name, 'backend')}",
             f"component: {component}", f"team: {app.team}"]  # fmt: skip
    if track:
        lines.append(f"track: {track}")
    return "".join(f"{pad}{line}\n" for line in lines)


def selector(app: App, track: str | None, component: str) -> str:
    """A stable Deployment that forgets track: stable selects its canary's pods too."""
    lines = [f"app: {app.app_label}", f"component: {component}"]
    if track and not app.defects.canary_overlap:
        lines.append(f"track: {track}")
    return "".join(f"      {line}\n" for line in lines)


def env_vars(app: App) -> str:
    rng = app.rng
    out = [
        "        - name: APP_ENV\n          value: " + app.env + "\n",
        "        - name: POD_NAME\n          valueFrom:\n            fieldRef:\n"
        "              fieldPath: metadata.name\n",
        "        - name: POD_IP\n          valueFrom:\n            fieldRef:\n"
        "              fieldPath: status.podIP\n",
        "        - name: DATABASE_PASSWORD\n          valueFrom:\n            secretKeyRef:\n"
        f"              name: {app.full}-db\n              key: password\n",
    ]
    for n in range(rng.randint(2, 9)):
        if rng.random() < 0.3:
            out.append(f"        - name: FEATURE_{n}\n          valueFrom:\n"
                       f"            configMapKeyRef:\n              name: {app.full}-config\n"
                       f"              key: feature-{n}\n")  # fmt: skip
        else:
            value = rng.choice(['"true"', '"false"', "info", '"30"', f"{app.name}.internal"])
            out.append(f"        - name: SETTING_{n}\n          value: {value}\n")
    return "".join(out)


def probes(port: str, path: str, rng: random.Random) -> str:
    delay = rng.choice([0, 5, 10])
    return (
        f"        readinessProbe:\n          httpGet:\n            path: {path}/ready\n"
        f"            port: {port}\n          initialDelaySeconds: {delay}\n"
        "          periodSeconds: 5\n          failureThreshold: 3\n"
        f"        livenessProbe:\n          httpGet:\n            path: {path}/live\n"
        f"            port: {port}\n          initialDelaySeconds: {delay + 10}\n"
        "          periodSeconds: 10\n"
    )


SECURITY = (
    "        securityContext:\n          allowPrivilegeEscalation: false\n"
    "          readOnlyRootFilesystem: true\n          runAsNonRoot: true\n"
    "          capabilities:\n            drop:\n            - ALL\n"
)


def main_container(app: App, component: str) -> str:
    rng = app.rng
    cpu, memory = rng.choice([100, 250, 500, 1000]), rng.choice([128, 256, 512, 1024])
    port = '"8080"' if app.defects.string_port else "8080"
    pull = "imagePulPolicy" if app.defects.typo else "imagePullPolicy"
    metrics = "        - name: metrics\n          containerPort: 9090\n" if app.metrics else ""
    return (
        f"      - name: {component}\n"
        f"        image: registry.example.com/{app.team}/{app.name}:{rng.randint(1, 4)}."
        f"{rng.randint(0, 30)}.{rng.randint(0, 9)}\n"
        f"        {pull}: IfNotPresent\n"
        f"        args:\n        - --listen=:8080\n        - --env={app.env}\n"
        "        ports:\n        - name: http\n"
        f"          containerPort: {port}\n          protocol: TCP\n{metrics}"
        f"        env:\n{env_vars(app)}"
        f"        envFrom:\n        - configMapRef:\n            name: {app.full}-config\n"
        f"{probes('http', '/healthz', rng)}"
        f"        resources:\n          requests:\n            cpu: {cpu}m\n"
        f"            memory: {memory}Mi\n          limits:\n            memory: {memory * 2}Mi\n"
        f"{SECURITY}"
        "        volumeMounts:\n        - name: config\n          mountPath: /etc/app\n"
        "          readOnly: true\n        - name: tmp\n          mountPath: /tmp\n"
        "        - name: tls\n          mountPath: /etc/tls\n          readOnly: true\n"
    )


def sidecar(app: App) -> str:
    """An envoy proxy, or a log shipper: the containers that forget their probe."""
    probe = "" if app.defects.sidecar_no_probe else probes("admin", "", app.rng)
    return (
        "      - name: envoy\n        image: envoyproxy/envoy:v1.31.2\n"
        "        args:\n        - -c\n        - /etc/envoy/envoy.yaml\n"
        "        ports:\n        - name: admin\n          containerPort: 9901\n"
        f"{probe}"
        "        resources:\n          requests:\n            cpu: 50m\n            memory: 64Mi\n"
        "          limits:\n            memory: 128Mi\n"
        f"{SECURITY}"
        "        volumeMounts:\n        - name: envoy\n          mountPath: /etc/envoy\n"
    )


def init_container(app: App) -> str:
    return (
        "      initContainers:\n      - name: migrate\n"
        f"        image: registry.example.com/{app.team}/{app.name}-migrate:"
        f"1.{app.rng.randint(0, 9)}.0\n"
        "        command:\n        - /bin/migrate\n        - up\n"
        "        env:\n        - name: DATABASE_PASSWORD\n          valueFrom:\n"
        f"            secretKeyRef:\n              name: {app.full}-db\n"
        "              key: password\n"
        "        resources:\n          requests:\n            cpu: 50m\n            memory: 64Mi\n"
        "          limits:\n            memory: 128Mi\n"
    )


ANTI_AFFINITY = (
    "      affinity:\n        podAntiAffinity:\n"
    "          preferredDuringSchedulingIgnoredDuringExecution:\n"
    "          - weight: 100\n            podAffinityTerm:\n"
    "              topologyKey: kubernetes.io/hostname\n"
    "              labelSelector:\n                matchLabels:\n"
    "                  app: {app}\n"
    "        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n"
    "            nodeSelectorTerms:\n            - matchExpressions:\n"
    "              - key: node.kubernetes.io/pool\n                operator: In\n"
    "                values:\n                - general\n                - compute\n"
)


def workload(app: App, kind: str, name: str, track: str | None, component: str) -> str:
    rng = app.rng
    replicas = rng.choice([2, 3, 3, 4, 6, 10]) if track != "canary" else 1
    surge, unavailable = rng.choice([("25%", "0"), ("1", "0"), ("25%", "25%")])
    strategy = (
        f"  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: {surge}\n"
        f"      maxUnavailable: {unavailable}\n  revisionHistoryLimit: 5\n"
        "  progressDeadlineSeconds: 600\n"
        if kind == "Deployment"
        else ""
    )
    init = init_container(app) if component == "server" and rng.random() < 0.5 else ""
    envoy = sidecar(app) if rng.random() < 0.6 else ""
    spread = ANTI_AFFINITY.format(app=app.app_label) if rng.random() < 0.6 else ""
    return (
        f"apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: {name}\n"
        f"  namespace: {app.namespace}\n  labels:\n{labels(app, 4, track, component)}"
        f"  annotations:\n    owner: {app.team}@example.com\n"
        f"    runbook: https://runbooks.example.com/{app.team}/{app.name}\n"
        f"spec:\n  replicas: {replicas}\n{strategy}  minReadySeconds: 5\n"
        f"  selector:\n    matchLabels:\n{selector(app, track, component)}"
        f"  template:\n    metadata:\n      labels:\n{labels(app, 8, track, component)}"
        '      annotations:\n        prometheus.io/scrape: "true"\n'
        '        prometheus.io/port: "9090"\n'
        f"    spec:\n      serviceAccountName: {app.full}\n"
        "      terminationGracePeriodSeconds: 30\n"
        "      securityContext:\n        runAsUser: 10001\n        fsGroup: 10001\n"
        "        seccompProfile:\n          type: RuntimeDefault\n"
        f"{spread}{init}      containers:\n{main_container(app, component)}{envoy}"
        "      volumes:\n"
        f"      - name: config\n        configMap:\n          name: {app.full}-config\n"
        "      - name: tmp\n        emptyDir: {}\n"
        f"      - name: tls\n        secret:\n          secretName: {app.full}-tls\n"
        f"      - name: envoy\n        configMap:\n          name: {app.full}-envoy\n"
        "      topologySpreadConstraints:\n      - maxSkew: 1\n"
        "        topologyKey: topology.kubernetes.io/zone\n"
        "        whenUnsatisfiable: ScheduleAnyway\n"
        f"        labelSelector:\n          matchLabels:\n            app: {app.app_label}\n"
    )


def service(app: App, name: str, component: str, port_name: str, port: int) -> str:
    """A Service on the app's pods; one over a canary says so, as teams do (RP406)."""
    target = "htpp" if app.defects.bad_target_port and port_name == "http" else port_name
    waiver = (
        "  annotations:\n    rolloutplan.io/ignore-service-selects-several-workloads: "
        '"the canary takes a share of the traffic"\n'
        if app.canary and component == "server" and not app.defects.canary_overlap
        else ""
    )
    return (
        f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n"
        f"  namespace: {app.namespace}\n  labels:\n    app: {app.app_label}\n"
        f"    team: {app.team}\n{waiver}"
        f"spec:\n  type: ClusterIP\n  selector:\n    app: {app.app_label}\n"
        f"    component: {component}\n  ports:\n  - name: {port_name}\n    port: {port}\n"
        f"    targetPort: {target}\n    protocol: TCP\n"
    )


def render(app: App) -> dict[str, list[str]]:
    """The app's files in its ENV directory, each a list of documents."""
    server = workload(app, "Deployment", app.full, "stable" if app.canary else None, "server")
    services = [service(app, app.full, "server", "http", 80)]
    if app.metrics:
        services.append(service(app, f"{app.full}-metrics", "server", "metrics", 9090))
    files: dict[str, list[str]] = {"deployment.yaml": [server]}
    if app.canary:
        canary = workload(app, "Deployment", f"{app.full}-canary", "canary", "server")
        if app.rng.random() < 0.3:
            files["canary.yaml"] = [canary]
        else:
            files["deployment.yaml"].append(canary)
    if app.worker:
        files["deployment.yaml"].append(
            workload(app, "Deployment", f"{app.full}-worker", None, "worker")
        )
    if app.replicaset:
        files["deployment.yaml"].append(
            workload(app, "ReplicaSet", f"{app.full}-batch", None, "batch")
        )
    if app.rng.random() < 0.8:  # most teams keep the Services beside the Deployments
        files["deployment.yaml"] = services + files["deployment.yaml"]
    else:
        files["service.yaml"] = services
    if app.defects.left_behind:  # an old copy nobody deleted, applied with the new one
        files["deployment-old.yaml"] = [server.replace("imagePullPolicy: IfNotPresent",
                                                       "imagePullPolicy: Always")]  # fmt: skip
    return files


def plan_apps(rng: random.Random, documents: int, clean: bool) -> list[App]:
    """Apps of every team in both environments until the documents are written."""
    apps: list[App] = []
    count = 0
    home = {team: rng.choice(NAMESPACES) for team in TEAMS}
    used: set[tuple[str, str]] = set()
    while count < documents:
        team = rng.choice(TEAMS)
        name = rng.choice(APPS) + rng.choice(QUALIFIERS)
        if (team, name) in used:
            continue
        used.add((team, name))
        canary = rng.random() < RATES["canary"]
        shape = {"canary": canary, "worker": rng.random() < 0.3,
                 "replicaset": rng.random() < 0.05, "metrics": rng.random() < 0.5}  # fmt: skip
        for env in ENVS:
            drawn = draw_defects(rng, name, canary)
            app = App(team, name, f"{home[team]}-{env}", env,
                      defects=Defects() if clean else drawn,
                      rng=random.Random(rng.random()), **shape)  # fmt: skip
            app.files = render(app)
            apps.append(app)
            # the same apps with --clean: count the copy it does not write
            count += sum(map(len, app.files.values())) + (clean and drawn.left_behind)
    return apps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clean", action="store_true", help="every finding fixed")
    args = parser.parse_args()
    shutil.rmtree(args.out / "teams", ignore_errors=True)
    files = documents = size = 0
    for app in plan_apps(random.Random(args.seed), args.documents, args.clean):
        folder = args.out / "teams" / app.team / app.name / app.env
        folder.mkdir(parents=True, exist_ok=True)
        for file, docs in app.files.items():
            text = "---\n".join(docs)
            (folder / file).write_text(text, encoding="utf-8")
            files, documents, size = files + 1, documents + len(docs), size + len(text)
    print(f"wrote {documents} documents in {files} files ({size / 1e6:.1f} MB) to {args.out}")


if __name__ == "__main__":
    main()
