"""Time `rolloutplan lint` on a seeded 5,000-document corpus, beside the peers if installed.

    python benchmarks/lint_benchmark.py [--documents 5000] [--runs 5] [--slow-peer-runs 1]

Runs, alternating, in each round: rolloutplan cold (an empty result cache), rolloutplan
warm (the cache the cold run filled), rolloutplan --no-cache, a one-file run (the pre-commit
case, on a file the cache has not seen), and when installed kubeconform ($KUBECONFORM_DIR
with offline schemas, or on PATH) and
kubernetes-validate (on PATH or beside this interpreter; single-process and slow, so only
in the first --slow-peer-runs rounds).  Prints each one's median wall time, documents per
second, peak memory, and the ratios the targets of issue 7 are stated in.

Run it with the interpreter of a regular (not editable) install, as users get it: an
editable install adds its import hook to every start.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
Command = Callable[[], list[str]]


def timed(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak resident memory (KiB) of one run."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)  # the child's own peak memory, too
    elapsed = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1: findings, which the corpus has (info)
        raise SystemExit(f"{command[:4]} ... exited {code}")
    return elapsed, usage.ru_maxrss


def commands(corpus: Path, work: Path) -> dict[str, tuple[Command, bool]]:
    """name -> (command maker, slow peer); a maker may prepare state (an empty cache)."""
    tool = [sys.executable, "-m", "rolloutplan", "lint", "-q"]
    cache = work / "cache"
    files = sorted(str(p) for p in corpus.glob("*.yaml"))
    one_file = work / "one.yaml"

    def cold() -> list[str]:
        shutil.rmtree(cache, ignore_errors=True)
        return [*tool, "--cache-dir", str(cache), str(corpus)]

    def single() -> list[str]:  # a changed file: new bytes, so a cache miss
        one_file.write_text(Path(files[0]).read_text() + f"# {time.perf_counter_ns()}\n")
        return [*tool, "--cache-dir", str(cache), str(one_file)]

    found: dict[str, tuple[Command, bool]] = {
        "rolloutplan cold": (cold, False),
        "rolloutplan warm": (lambda: [*tool, "--cache-dir", str(cache), str(corpus)], False),
        "rolloutplan --no-cache": (lambda: [*tool, "--no-cache", str(corpus)], False),
        "rolloutplan one file": (single, False),
    }
    kubeconform = _kubeconform(corpus)
    if kubeconform:
        found["kubeconform"] = (lambda: kubeconform, False)
    beside = Path(sys.executable).parent / "kubernetes-validate"  # pip-installed here
    peer = shutil.which("kubernetes-validate") or (str(beside) if beside.exists() else None)
    if peer:
        validate = [peer, "--strict", "--quiet", *files]
        found["kubernetes-validate"] = (lambda: validate, True)
    return found


def _kubeconform(corpus: Path) -> list[str] | None:
    """kubeconform with offline schemas from $KUBECONFORM_DIR (the binary and a schemas/
    folder laid out for it), else from PATH with its own (online) schema location."""
    folder = os.environ.get("KUBECONFORM_DIR")
    if folder:
        location = (
            f"{folder}/schemas/{{{{ .NormalizedKubernetesVersion }}}}-standalone"
            "{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"
        )
        return [
            f"{folder}/kubeconform", "-strict", "-summary", "-n", "2",
            "-kubernetes-version", "1.37.0", "-schema-location", location, str(corpus),
        ]  # fmt: skip
    if shutil.which("kubeconform"):
        return ["kubeconform", "-strict", "-summary", str(corpus)]
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--slow-peer-runs", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        corpus = work / "corpus"
        subprocess.run([sys.executable, str(HERE / "generate_corpus.py"), str(corpus),
                        "--documents", str(args.documents)], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        tools = commands(corpus, work)
        times: dict[str, list[float]] = {name: [] for name in tools}
        memory: dict[str, int] = dict.fromkeys(tools, 0)
        for round_ in range(args.runs):
            for name, (make, slow) in tools.items():
                if slow and round_ >= args.slow_peer_runs:
                    continue
                elapsed, peak = timed(make())
                times[name].append(elapsed)
                memory[name] = max(memory[name], peak)
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, median in medians.items():
        documents = 1 if name.endswith("one file") else args.documents
        rate = "" if documents == 1 else f", {documents / median:,.0f} docs/s"
        print(f"{name}: {median * 1000:,.0f} ms{rate}, peak {memory[name] / 1024:.0f} MiB "
              f"({len(times[name])} runs)")  # fmt: skip
    cold = medians["rolloutplan cold"]
    print(f"warm run: {cold / medians['rolloutplan warm']:.1f}x faster than cold (target >= 5)")
    if "kubeconform" in medians:
        print(f"cold / kubeconform: {cold / medians['kubeconform']:.2f} (target <= 1.0)")
    if "kubernetes-validate" in medians:
        print(f"kubernetes-validate / cold: {medians['kubernetes-validate'] / cold:.0f}x "
              "(target >= 20)")  # fmt: skip
    print(f"one file: {medians['rolloutplan one file'] * 1000:.0f} ms (target <= 150)")


if __name__ == "__main__":
    main()
