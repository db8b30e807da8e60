"""Time the planner: 1,000 Deployments of 1 to 500 replicas, one of 10,000 replicas, and
1,000 Deployments planned from live state.

    python benchmarks/plan_benchmark.py [--runs 5] [--seed 1] [--new-pods ready|never-ready]

Deployments (and the live ReplicaSets) are built in memory (seeded), so only planning is
timed.  Each figure is the median of --runs runs, in CPU seconds (time.process_time) and wall
seconds.  The live-state batch gives each Deployment 1 to 3 old ReplicaSets of random sizes
and availability, a partly scaled new one, and a pending replica change (the ReplicaSets'
desired-replicas annotations say another size).  Targets (issues 3 and 14): each figure under
1 CPU second on the 2-core development machine.
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
    ReplicaSet,
    StrategyType,
)
from rolloutplan.planner.plan import PlanOptions, RolloutPlan, plan_deployment
from rolloutplan.planner.simulate import NewPods

TEMPLATE = PodTemplate((("app", "web"),), (Container("web", "nginx:1.25"),), fingerprint="new")
SELECTOR = LabelSelector((("app", "web"),))
SURGES = ("25%", "50%", "100%", 1, 2, 0)
UNAVAILABLES = ("25%", "10%", 0, 1, "50%")

Case = tuple[Deployment, tuple[ReplicaSet, ...]]  # a Deployment and its live ReplicaSets


def deployment(name: str, replicas: int, surge: int | str, unavailable: int | str) -> Deployment:
    if surge in (0, "0%") and unavailable in (0, "0%"):
        unavailable = 1
    strategy = DeploymentStrategy(
        StrategyType.ROLLING_UPDATE, IntOrPercent.parse(surge), IntOrPercent.parse(unavailable)
    )
    ref = ObjectRef("Deployment", "bench", name)
    return Deployment(ref, replicas, SELECTOR, TEMPLATE, strategy)


def many(seed: int) -> list[Case]:
    rng = random.Random(seed)
    return [
        (deployment(f"d{i}", rng.randint(1, 500), rng.choice(SURGES), rng.choice(UNAVAILABLES)), ())
        for i in range(1000)
    ]


def live_many(seed: int) -> list[Case]:
    rng = random.Random(seed)
    cases = []
    for i in range(1000):
        target = deployment(
            f"live{i}", rng.randint(1, 500), rng.choice(SURGES), rng.choice(UNAVAILABLES)
        )
        cases.append((target, live_replica_sets(rng, target)))
    return cases


def live_replica_sets(rng: random.Random, target: Deployment) -> tuple[ReplicaSet, ...]:
    """1-3 old ReplicaSets and a partly scaled new one, all annotated with the size the
    Deployment had before (so a replica change is pending), created one after the other."""
    before = rng.randint(1, 500)
    new_size = rng.randint(0, before)
    sizes = [rng.randint(0, before) for _ in range(rng.randint(1, 3))]
    replica_sets = []
    for index, size in enumerate([*sizes, new_size]):
        is_new = index == len(sizes)
        fingerprint = TEMPLATE.fingerprint if is_new else f"old{index}"
        template = PodTemplate(TEMPLATE.labels, TEMPLATE.containers, fingerprint=fingerprint)
        name = f"{target.ref.name}-{'new' if is_new else f'old{index}'}"
        annotations = (
            ("deployment.kubernetes.io/desired-replicas", str(before)),
            ("deployment.kubernetes.io/max-replicas", str(before + rng.randint(0, 3))),
        )
        replica_sets.append(
            ReplicaSet(
                ObjectRef("ReplicaSet", "bench", name),
                size,
                SELECTOR,
                template,
                annotations=annotations,
                owner=("Deployment", target.ref.name),
                created=f"2026-11-30T10:0{index}:00Z",
                status_replicas=size,
                available_replicas=rng.randint(0, size),
            )
        )
    return tuple(replica_sets)


def plan_all(cases: list[Case], options: PlanOptions) -> list[RolloutPlan]:
    return [plan_deployment(d, None, live, options) for d, live in cases]


def medians(work: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median CPU and wall seconds of ``runs`` runs of ``work``."""
    cpu, wall = [], []
    for _ in range(runs):
        cpu_started, wall_started = time.process_time(), time.perf_counter()
        work()
        cpu.append(time.process_time() - cpu_started)
        wall.append(time.perf_counter() - wall_started)
    return statistics.median(cpu), statistics.median(wall)


def figure(label: str, work: Callable[[], object], runs: int) -> None:
    cpu, wall = medians(work, runs)
    print(f"{label}: {cpu:.3f} CPU s, {wall:.3f} s wall (target < 1 CPU s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--new-pods", choices=[m.value for m in NewPods], default="ready")
    args = parser.parse_args()
    options = PlanOptions(new_pods=NewPods(args.new_pods))
    batch, live = many(args.seed), live_many(args.seed)
    big = [(deployment("big", 10_000, 1, 0), ())]

    steps = sum(len(p.steps) for p in plan_all(batch, options))
    live_steps = sum(len(p.steps) for p in plan_all(live, options))
    big_plan = plan_all(big, options)[0]
    figure(
        f"1,000 Deployments (1-500 replicas, {steps:,} steps)",
        lambda: plan_all(batch, options),
        args.runs,
    )
    figure(
        f"1 Deployment of 10,000 replicas, maxSurge 1 / maxUnavailable 0 "
        f"({len(big_plan.steps):,} steps, {big_plan.waves:,} waves)",
        lambda: plan_all(big, options),
        args.runs,
    )
    figure(
        f"1,000 Deployments from live state (1-3 old ReplicaSets, {live_steps:,} steps)",
        lambda: plan_all(live, options),
        args.runs,
    )


if __name__ == "__main__":
    main()
