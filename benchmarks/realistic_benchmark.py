"""Time `rolloutplan lint` on realistic corpora beside kubeconform, paired and alternating.

    python benchmarks/realistic_benchmark.py [--corpus realistic,clean,light]
        [--documents 5000] [--runs 5] [--kubeconform DIR]

The corpora: `realistic` (benchmarks/realistic_corpus.py: about 100-line Deployments and
cross-file findings), `clean` (the same documents with every finding fixed) and `light`
(benchmarks/generate_corpus.py).  In each round, alternating: rolloutplan cold (an empty
result cache) with the default --jobs and with --jobs 1, warm (the cache the cold run
filled), one changed file (the pre-commit case: new bytes in one file of the corpus, linted
alone with the warm cache, and with --no-cache), and kubeconform -n 1 and -n 2 on the corpus
and on the changed file when its folder is given (--kubeconform DIR or $KUBECONFORM_DIR:
the binary and its offline schemas/, as /work/shared/tools/kubeconform lays them out).
Prints the medians of wall time, CPU seconds (the child's user + system, from wait4) and
peak memory, and the medians of the paired ratios that issue 15 states its targets in.

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
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
Command = Callable[[], list[str]]
# name of the ratio -> (numerator, denominator, target)
RATIOS = {
    "cold / kubeconform -n 1": ("cold", "kubeconform -n 1", "<= 1.0"),
    "cold / kubeconform -n 2": ("cold", "kubeconform -n 2", "<= 1.0"),
    "cold --jobs 1 / kubeconform -n 1": ("cold --jobs 1", "kubeconform -n 1", "<= 1.0"),
    "cold default / cold --jobs 1": ("cold", "cold --jobs 1", ""),
    "cold / warm": ("cold", "warm", ">= 5"),
    "one file / kubeconform one file": ("one file", "kubeconform one file", "<= 1.0"),
}


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # seconds, user + system
    peak: int  # KiB


@dataclass
class Series:
    runs: list[Run] = field(default_factory=list)

    def median(self, what: str) -> float:
        return statistics.median(getattr(run, what) for run in self.runs)


# Every run starts in an empty directory: `python -m rolloutplan` started in a checkout
# would import the package from the working directory (uncompiled source, no installed
# bytecode), and a config file there would be found by walking up.
NEUTRAL_DIRECTORY = tempfile.mkdtemp(prefix="rolloutplan-bench-cwd-")


def timed(command: list[str]) -> Run:
    """One run's wall time, and its CPU time and peak memory as the kernel counts them."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=NEUTRAL_DIRECTORY
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1: findings (and kubeconform's invalid documents)
        raise SystemExit(f"{command[:6]} ... exited {code}")
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


def kubeconform(folder: str | None, workers: int, target: Path) -> list[str] | None:
    """kubeconform with the offline schemas in FOLDER/schemas, when FOLDER is given."""
    if not folder:
        return None
    location = (
        f"{folder}/schemas/{{{{ .NormalizedKubernetesVersion }}}}-standalone"
        "{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"
    )
    return [
        f"{folder}/kubeconform", "-strict", "-summary", "-n", str(workers),
        "-kubernetes-version", "1.37.0", "-schema-location", location, str(target),
    ]  # fmt: skip


def commands(corpus: Path, work: Path, peer: str | None) -> dict[str, Command]:
    """name -> command maker; a maker prepares its state (an empty cache, a changed file)."""
    tool = [sys.executable, "-m", "rolloutplan", "lint", "-q"]
    cache, cache_one = work / "cache", work / "cache-jobs-1"
    files = sorted(corpus.rglob("*.yaml"))
    changed = files[len(files) // 2]
    original = changed.read_text(encoding="utf-8")

    def cold(folder: Path, *options: str) -> Command:
        def make() -> list[str]:
            shutil.rmtree(folder, ignore_errors=True)
            return [*tool, *options, "--cache-dir", str(folder), str(corpus)]

        return make

    def one_file(*options: str) -> Command:
        def make() -> list[str]:  # new bytes, so a cache miss
            changed.write_text(f"{original}# {time.perf_counter_ns()}\n", encoding="utf-8")
            return [*tool, *options, str(changed)]

        return make

    found: dict[str, Command] = {
        "cold": cold(cache),
        "cold --jobs 1": cold(cache_one, "--jobs", "1"),
        "warm": lambda: [*tool, "--cache-dir", str(cache), str(corpus)],
        "one file": one_file("--cache-dir", str(cache)),
        "one file --no-cache": one_file("--no-cache"),
    }
    for workers in (1, 2):
        whole = kubeconform(peer, workers, corpus)
        if whole:
            found[f"kubeconform -n {workers}"] = lambda whole=whole: whole
    single = kubeconform(peer, 1, changed)
    if single:
        found["kubeconform one file"] = lambda: single
    return found


def generate(kind: str, documents: int, out: Path) -> None:
    script = "generate_corpus.py" if kind == "light" else "realistic_corpus.py"
    extra = ["--clean"] if kind == "clean" else []
    subprocess.run([sys.executable, str(HERE / script), str(out), "--documents",
                    str(documents), *extra], check=True, stdout=subprocess.DEVNULL)  # fmt: skip


def measure(kind: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        corpus = work / "corpus"
        generate(kind, args.documents, corpus)
        size = sum(p.stat().st_size for p in corpus.rglob("*.yaml"))
        count = sum(1 for _ in corpus.rglob("*.yaml"))
        tools = commands(corpus, work, args.kubeconform)
        series = {name: Series() for name in tools}
        for _ in range(args.runs):
            for name, make in tools.items():
                series[name].runs.append(timed(make()))
    print(f"\n## {kind}: {args.documents} documents, {count} files, {size / 1e6:.1f} MB, "
          f"{args.runs} rounds (medians)\n")  # fmt: skip
    print("| run | wall ms | CPU s | peak MB |\n| --- | ---: | ---: | ---: |")
    for name, values in series.items():
        print(f"| {name} | {values.median('wall') * 1000:,.0f} | {values.median('cpu'):.2f} "
              f"| {max(run.peak for run in values.runs) / 1024:.0f} |")  # fmt: skip
    print(
        "\n| paired ratio (median of rounds) | wall | CPU | target |\n| --- | ---: | ---: | --- |"
    )
    for label, (top, bottom, target) in RATIOS.items():
        if top in series and bottom in series:
            wall, cpu = (_paired(series[top], series[bottom], what) for what in ("wall", "cpu"))
            print(f"| {label} | {wall:.2f} | {cpu:.2f} | {target} |")


def _paired(top: Series, bottom: Series, what: str) -> float:
    pairs = zip(top.runs, bottom.runs, strict=True)
    return statistics.median(getattr(a, what) / getattr(b, what) for a, b in pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="realistic,clean,light")
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--kubeconform", default=os.environ.get("KUBECONFORM_DIR"),
                        help="kubeconform's folder (default: $KUBECONFORM_DIR)")  # fmt: skip
    args = parser.parse_args()
    for kind in args.corpus.split(","):
        if kind not in ("realistic", "clean", "light"):
            parser.error(f"unknown corpus {kind!r}")
        measure(kind, args)


if __name__ == "__main__":
    main()
