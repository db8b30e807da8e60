"""The least a Python process with rolloutplan's stack must do for one file, beside kubeconform.

    python benchmarks/startup_floor.py [--file FILE] [--runs 15] [--version 1.37]
        [--kubeconform DIR]

Issue 15 asks for one changed file (the pre-commit case) at or below kubeconform's time.
This says whether that is reachable at all in Python: it times, paired and alternating,
processes that stop after each step that any implementation on this stack has to take,

- ``python -c pass``: the interpreter's start (with this environment's site packages);
- ``imports``: then import click, ruamel.yaml's C parser and jsonschema_rs;
- ``schemas``: then json-load and compile (jsonschema_rs) the Deployment and Service
  schemas of one Kubernetes version, as rolloutplan bundles them;
- ``floor``: then compose the file's documents with the C parser, turn them into Python
  values (a minimal resolver: no positions, no go-yaml rules) and validate each;

beside ``rolloutplan lint -q --no-cache FILE`` and kubeconform on FILE (when its folder is
given, with realistic_benchmark.py's flags).  FILE defaults to the file realistic_benchmark.py
changes in a realistic corpus of 200 documents.  Prints the medians of wall time and CPU
seconds (the child's user + system, from wait4) and the medians of the paired ratios to
kubeconform.  Run it with the interpreter of a regular (not editable) install.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from realistic_benchmark import Series, generate, kubeconform, timed

# The child's code: argv is STAGE SCHEMA_DIR FILE; it stops after STAGE (1 to 3).
FLOOR = """
import sys
stage = int(sys.argv[1])
import json
import click
import _ruamel_yaml
import jsonschema_rs
if stage >= 2:
    folder = sys.argv[2]
    validators = {
        kind: jsonschema_rs.validator_for(json.loads(open(f"{folder}/{stem}").read()))
        for kind, stem in (("Deployment", DEPLOYMENT), ("Service", SERVICE))
    }
if stage >= 3:
    class Composer(_ruamel_yaml.CParser):
        descend_resolver = {}.get
        ascend_resolver = tuple
        resolve = slice

    SPECIAL = {"true": True, "false": False, "null": None, "~": None}

    def value(node):
        if isinstance(node, _ruamel_yaml.MappingNode):
            return {value(k): value(v) for k, v in node.value}
        if isinstance(node, _ruamel_yaml.SequenceNode):
            return [value(item) for item in node.value]
        text = node.value
        if node.style is not None:
            return text
        if text in SPECIAL:
            return SPECIAL[text]
        if text.lstrip("-").isdigit():
            return int(text)
        return text

    with open(sys.argv[3], encoding="utf-8") as stream:
        composer = Composer(stream.read())
    valid = []
    while composer.check_node():
        data = value(composer.get_node())
        check = validators.get(data.get("kind")) if isinstance(data, dict) else None
        valid.append(check is None or check.is_valid(data))
    if not all(valid):
        sys.exit(f"floor: a document is not valid: {valid}")
"""
STEPS = {1: "imports", 2: "schemas", 3: "floor"}


def schema_folder(version: str) -> tuple[Path, str, str]:
    """Where the installed rolloutplan keeps the schemas it validates with first."""
    from rolloutplan.validate.schemas import schema_root

    folder = schema_root() / f"v{version}"
    variant = "ranged" if (folder / "service-v1-ranged.json").is_file() else "strict"
    return folder, f"deployment-apps-v1-{variant}.json", f"service-v1-{variant}.json"


def default_file(work: Path) -> Path:
    corpus = work / "corpus"
    generate("realistic", 200, corpus)
    files = sorted(corpus.rglob("*.yaml"))
    return files[len(files) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, help="the file (default: see above)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--version", default="1.37", help="Kubernetes minor version")
    parser.add_argument("--kubeconform", default=os.environ.get("KUBECONFORM_DIR"),
                        help="kubeconform's folder (default: $KUBECONFORM_DIR)")  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        target = (args.file or default_file(Path(work))).resolve()
        folder, deployment, service = schema_folder(args.version)
        code = FLOOR.replace("DEPLOYMENT", repr(deployment)).replace("SERVICE", repr(service))
        python = [sys.executable, "-c"]
        commands = {"python -c pass": [*python, "pass"]}
        for stage, name in STEPS.items():
            commands[name] = [*python, code, str(stage), str(folder), str(target)]
        commands["rolloutplan lint -q --no-cache"] = [
            sys.executable, "-m", "rolloutplan", "lint", "-q", "--no-cache", str(target),
        ]  # fmt: skip
        peer = kubeconform(args.kubeconform, 1, target)
        if peer:
            commands["kubeconform one file"] = peer
        series = {name: Series() for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                series[name].runs.append(timed(command))
        report(series, target, args)


def report(series: dict[str, Series], target: Path, args: argparse.Namespace) -> None:
    print(f"\n## One file: {target.name}, {target.stat().st_size:,} bytes, Kubernetes "
          f"{args.version}, {args.runs} rounds (medians)\n")  # fmt: skip
    peer = series.get("kubeconform one file")
    print("| run | wall ms | CPU ms | wall / kubeconform | CPU / kubeconform |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, values in series.items():
        ratios = ("", "")
        if peer is not None:
            ratios = tuple(f"{_paired(values, peer, what):.2f}" for what in ("wall", "cpu"))
        print(f"| {name} | {values.median('wall') * 1000:.0f} | {values.median('cpu') * 1000:.0f} "
              f"| {ratios[0]} | {ratios[1]} |")  # fmt: skip


def _paired(top: Series, bottom: Series, what: str) -> float:
    pairs = zip(top.runs, bottom.runs, strict=True)
    return statistics.median(getattr(a, what) / getattr(b, what) for a, b in pairs)


if __name__ == "__main__":
    main()
