"""Time the planner: 1,000 Deployments of 1 to 500 replicas, and one of 10,000 replicas.

    python benchmarks/plan_benchmark.py [--runs 5] [--seed 1]

Deployments are built in memory (seeded), so only planning is timed; each figure is the
median of --runs runs.  Targets (issue 3): under 1 s for the 1,000.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.objects import (
    Container,
    Deployment,
    DeploymentStrategy,
    IntOrPercent,
    LabelSelector,
    PodTemplate,
    StrategyType,
)
from rolloutplan.planner.plan import PlanOptions, plan_deployment

TEMPLATE = PodTemplate((("app", "web"),), (Container("web", "nginx:1.25"),))
SURGES = ("25%", "50%", "100%", 1, 2, 0)
UNAVAILABLES = ("25%", "10%", 0, 1, "50%")


def deployment(name: str, replicas: int, surge: int | str, unavailable: int | str) -> Deployment:
    if surge in (0, "0%") and unavailable in (0, "0%"):
        unavailable = 1
    strategy = DeploymentStrategy(
        StrategyType.ROLLING_UPDATE, IntOrPercent.parse(surge), IntOrPercent.parse(unavailable)
    )
    ref = ObjectRef("Deployment", "bench", name)
    return Deployment(ref, replicas, LabelSelector((("app", "web"),)), TEMPLATE, strategy)


def many(seed: int) -> list[Deployment]:
    rng = random.Random(seed)
    return [
        deployment(f"d{i}", rng.randint(1, 500), rng.choice(SURGES), rng.choice(UNAVAILABLES))
        for i in range(1000)
    ]


def median_seconds(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    options = PlanOptions()
    batch = many(args.seed)
    big = deployment("big", 10_000, 1, 0)

    def plan_batch() -> list[object]:
        return [plan_deployment(d, None, (), options) for d in batch]

    steps = sum(len(p.steps) for p in plan_batch())
    big_plan = plan_deployment(big, None, (), options)
    batch_time = median_seconds(plan_batch, args.runs)
    big_time = median_seconds(lambda: plan_deployment(big, None, (), options), args.runs)
    print(f"1,000 Deployments (1-500 replicas, {steps:,} steps): {batch_time:.3f} s (target < 1 s)")
    print(
        f"1 Deployment of 10,000 replicas, maxSurge 1 / maxUnavailable 0 "
        f"({len(big_plan.steps):,} steps, {big_plan.waves:,} waves): {big_time:.3f} s"
        " (target < 1 s)"
    )


if __name__ == "__main__":
    main()
