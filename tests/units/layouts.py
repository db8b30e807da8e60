"""Manifests for the apply-unit tests, written into a temporary directory (the tests run
there, so that paths in the output are relative, as a user in a repository would see them)."""

from __future__ import annotations

from pathlib import Path


def deployment(name: str = "web", replicas: int = 2, app: str = "web", port: str = "http") -> str:
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: {app}
  template:
    metadata:
      labels:
        app: {app}
    spec:
      containers:
      - name: web
        image: nginx:1.25.3
        ports:
        - name: {port}
          containerPort: 8080
        readinessProbe:
          tcpSocket:
            port: 8080
"""


def service(name: str = "web", app: str = "web", target: str = "http") -> str:
    return f"""\
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:
    app: {app}
  ports:
  - port: 80
    targetPort: {target}
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def findings(stdout: str) -> list[tuple[str, str, str]]:
    """(file, rule, message) of each finding line of text output."""
    found = []
    for line in stdout.splitlines():
        location, sep, rest = line.partition(": ")
        if not sep or " RP" not in line or location.count(":") < 2:
            continue
        rule = rest.split()[1]
        found.append((location.split(":")[0], rule, rest))
    return found
