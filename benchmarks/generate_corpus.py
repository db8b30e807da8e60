"""Write a seeded corpus of realistic manifests: about 45% Deployments, 10% ReplicaSets and
45% Services, about 3 documents per file (a workload and its Service, sometimes two pairs).

    python benchmarks/generate_corpus.py OUT_DIR [--documents 5000] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

DEPLOYMENT = """\
apiVersion: apps/v1
kind: {kind}
metadata:
  name: {name}
  namespace: {namespace}
  labels:
    app.kubernetes.io/name: {name}
    app.kubernetes.io/part-of: {team}
spec:
  replicas: {replicas}
{strategy}  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {name}
        app.kubernetes.io/part-of: {team}
    spec:
      containers:
      - name: {name}
        image: registry.example.com/{team}/{name}:{major}.{minor}.{patch}
        ports:
        - name: http
          containerPort: {port}
        env:
        - name: LOG_LEVEL
          value: info
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        readinessProbe:
          httpGet:
            path: /ready
            port: http
          initialDelaySeconds: {delay}
          periodSeconds: 5
        livenessProbe:
          tcpSocket:
            port: http
          periodSeconds: 10
        resources:
          requests:
            cpu: {cpu}m
            memory: {memory}Mi
          limits:
            memory: {limit}Mi
"""
STRATEGY = (
    "  strategy:\n    rollingUpdate:\n      maxSurge: {surge}\n"
    "      maxUnavailable: {unavailable}\n"
)
SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {namespace}
spec:
  type: {type}
  selector:
    app.kubernetes.io/name: {name}
  ports:
  - name: http
    port: 80
    targetPort: http
"""


def application(rng: random.Random, index: int, count: int) -> list[str]:
    """One file: a workload and its Service, and for bigger files a second pair."""
    docs = []
    namespace = "default"
    for n in range(count):
        name = f"app-{index + n - n % 2:05d}"
        if n % 2 == 0:
            namespace = rng.choice(["shop", "payments", "search", "default"])
            docs.append(_workload(rng, name, namespace))
        else:
            docs.append(_service(rng, name, namespace))
    return docs


def _service(rng: random.Random, name: str, namespace: str) -> str:
    kind = rng.choice(["ClusterIP", "ClusterIP", "NodePort"])
    return SERVICE.format(name=name, namespace=namespace, type=kind)


def _workload(rng: random.Random, name: str, namespace: str) -> str:
    roll = rng.random() * 0.55
    common = {"name": name, "namespace": namespace}
    strategy = STRATEGY.format(
        surge=rng.choice(["25%", 1, "50%"]), unavailable=rng.choice([0, "25%"])
    )
    memory = rng.choice([64, 128, 256, 512])
    return DEPLOYMENT.format(
        **common,
        kind="Deployment" if roll < 0.45 else "ReplicaSet",
        team=rng.choice(["core", "web", "data"]),
        replicas=rng.randint(1, 20),
        strategy=strategy if roll < 0.45 and rng.random() < 0.5 else "",
        major=rng.randint(1, 5), minor=rng.randint(0, 20), patch=rng.randint(0, 9),
        port=rng.choice([8080, 8000, 9000]), delay=rng.choice([0, 5, 10]),
        cpu=rng.choice([50, 100, 250, 500]), memory=memory, limit=memory * 2,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    index = 0
    while index < args.documents:
        count = min(rng.randint(2, 4), args.documents - index)
        docs = application(rng, index, count)
        (args.out / f"app-{index:05d}.yaml").write_text("---\n".join(docs), encoding="utf-8")
        index += count
    print(f"wrote {args.documents} documents to {args.out}")


if __name__ == "__main__":
    main()
