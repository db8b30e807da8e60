"""The in-process tables that remember repeated values (plain keys, env values, quantities,
flag names) keep short texts only: a run over many files with long unique values cannot
make them hold more than a bounded amount of memory."""

from __future__ import annotations

from pathlib import Path

from rolloutplan.load import parse as parse_module
from rolloutplan.load import pods, yaml_docs
from rolloutplan.model import quantity
from rolloutplan.validate.apiserver import pod_warnings, resources
from tests.conftest import RunCli

LONG = 200  # longer than any table keeps

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web{i}
spec:
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
      annotations:
        ? {key}
        : v
    spec:
      containers:
      - name: web
        image: nginx:1.27
        args: ["--{flag}=8080"]
        env:
        - name: {flag}
          value: "{value}"
        resources:
          requests: {{cpu: "{number}", memory: "{number}"}}
"""


def test_long_values_are_not_remembered(run_cli: RunCli, tmp_path: Path) -> None:
    caches = (
        resources._milli,
        resources._valid_quantity,
        pod_warnings._whole_bytes,
        quantity._parse_text,
        pods._names_port,
    )
    for cache in caches:
        cache.cache_clear()
    for i in range(3):
        (tmp_path / f"d{i}.yaml").write_text(
            DEPLOYMENT.format(
                i=i,
                key=f"k{i}" + "x" * LONG,
                flag=f"PORT_{i}_" + "X" * LONG,
                value=f"v{i}" + "y" * LONG,
                number="1" + "0" * LONG + str(i),
            )
        )
    result = run_cli("lint", "--no-cache", tmp_path)
    assert "3 files, 3 objects checked" in result.output
    assert [cache.cache_info().currsize for cache in caches] == [0] * len(caches)
    tables = (yaml_docs._KEY_TEXTS, yaml_docs._RESOLVED, parse_module._VALUE_DIGESTS)
    assert max(len(text) for table in tables for text in table if isinstance(text, str)) < LONG
