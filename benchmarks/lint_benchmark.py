"""Time `rolloutplan lint` on a seeded 5,000-document corpus, beside the peers if installed.

    python benchmarks/lint_benchmark.py [--documents 5000] [--runs 3]

Runs rolloutplan (all cores), and when available kubernetes-validate (pip) and kubeconform
(on PATH), alternating, and prints each one's median wall time, documents per second, and
the ratio to kubeconform.  Also times a one-file run (the pre-commit case).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def commands(corpus: Path) -> dict[str, list[str]]:
    files = sorted(str(p) for p in corpus.glob("*.yaml"))
    found = {"rolloutplan": [sys.executable, "-m", "rolloutplan", "lint", str(corpus)]}
    if shutil.which("kubeconform"):
        found["kubeconform"] = ["kubeconform", "-strict", "-summary", str(corpus)]
    if shutil.which("kubernetes-validate"):
        found["kubernetes-validate"] = ["kubernetes-validate", *files]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus"
        subprocess.run([sys.executable, str(HERE / "generate_corpus.py"), str(corpus),
                        "--documents", str(args.documents)], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        tools = commands(corpus)
        times: dict[str, list[float]] = {name: [] for name in tools}
        for _ in range(args.runs):
            for name, command in tools.items():
                times[name].append(timed(command))
        one_file = sorted(corpus.glob("*.yaml"))[0]
        single = [timed([sys.executable, "-m", "rolloutplan", "lint", str(one_file)])
                  for _ in range(args.runs * 3)]  # fmt: skip
    base = statistics.median(times["kubeconform"]) if "kubeconform" in times else None
    for name, values in times.items():
        median = statistics.median(values)
        ratio = f", {median / base:.2f} x kubeconform" if base else ""
        print(f"{name}: {median:.2f} s, {args.documents / median:,.0f} docs/s{ratio}")
    print(f"rolloutplan, one file: {statistics.median(single) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
