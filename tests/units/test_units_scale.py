"""Apply units at scale: the same bytes whatever the argument order and --jobs (over 200
files, so that a worker process checks some of them), and grouping that stays linear."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

from rolloutplan.model.finding import ObjectRef
from rolloutplan.units import apply_units
from tests.units.layouts import deployment, service, write

ENVIRONMENTS = 105  # two files each, and two shared ones: 212 files


def layout(root: Path) -> list[Path]:
    files = {"deploy/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n"}
    files["deploy/svc-shared.yaml"] = service(name="shared", target="web")
    for number in range(ENVIRONMENTS):
        target = "htpp" if number % 7 == 0 else "http"  # a mistake in some copies
        files[f"deploy/env{number:03}/web.yaml"] = deployment(replicas=1 + number % 4)
        files[f"deploy/env{number:03}/svc.yaml"] = service(target=target)
    files["deploy/env001/web-copy.yaml"] = deployment(replicas=9)  # a true duplicate
    write(root, files)
    return sorted(root.rglob("*.yaml"))


def run(args: list[str], cwd: Path) -> tuple[int, bytes]:
    command = [sys.executable, "-m", "rolloutplan", *args, "--no-cache"]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    assert done.stderr == b"", done.stderr.decode()
    return done.returncode, done.stdout


def test_the_same_bytes_whatever_the_order_and_the_jobs(tmp_path: Path) -> None:
    files = [str(p.relative_to(tmp_path)) for p in layout(tmp_path)]
    assert len(files) > 200
    shuffled = list(files)
    random.Random(12).shuffle(shuffled)
    outputs = {
        run(["check", "--format", "json", "--jobs", jobs, *order], tmp_path)
        for jobs, order in (("1", files), ("2", shuffled), ("2", files[::-1]))
    }
    assert len(outputs) == 1
    code, stdout = outputs.pop()
    assert code == 1
    text = stdout.decode()
    assert text.count('"rule": "RP402"') == 15 + 1  # the copies with htpp, and shared (once)
    assert text.count('"rule": "RP407"') == 1
    assert '"file": "deploy/env104/web.yaml"' in text


def test_grouping_5000_files_is_one_pass_over_them() -> None:
    """2,500 apps with a staging and a prod copy, and shared files: each copy its unit."""
    web = ObjectRef("Deployment", "default", "web")
    paths, refs = [], []
    for number in range(2_500):
        for environment in ("prod", "staging"):
            paths.append(f"apps/a{number:04}/{environment}/web.yaml")
            refs.append([web, ObjectRef("Service", "default", f"svc{number}")])
    paths.append("apps/namespace.yaml")
    refs.append([])
    units = apply_units(paths, refs)
    assert len(units.units) == 5_000
    assert all(len(unit.files) == 2 for unit in units.units)  # its own file and the shared
    assert units.of_file[-1] == tuple(range(5_000))  # the shared file: in every unit
    assert units.duplicates == ()
    assert units.units[0].name == "apps/a0000/prod"
