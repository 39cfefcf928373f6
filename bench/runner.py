"""Runs the benchmarks on one embedded broker + PostgreSQL and reports flat `name -> number` figures."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from shared.testing.infra import Infra, infra_from_environment

Figures = dict[str, float]
Benchmark = Callable[[Infra, Figures], Awaitable[Figures]]
RESULTS = Path(__file__).parent / "results.json"


def _benchmarks() -> dict[str, Benchmark]:
    from bench import backbone

    found: dict[str, Benchmark] = {"backbone": backbone.run}
    for name in ("intake", "sla", "dispatch", "consumer"):
        try:
            module = __import__(f"bench.{name}", fromlist=["run"])
        except ModuleNotFoundError:
            continue
        found[name] = module.run
    return found


async def main(selected: list[str]) -> int:
    benchmarks = _benchmarks()
    names = selected or list(benchmarks)
    figures: Figures = {}
    with infra_from_environment() as infra:
        for name in names:
            started = time.perf_counter()
            print(f"== {name}", flush=True)
            figures.update(await benchmarks[name](infra, figures))
            print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() and selected else {}
    previous.update({k: round(v, 3) for k, v in figures.items()})
    RESULTS.write_text(json.dumps(previous, indent=2, sort_keys=True) + "\n")
    width = max(len(k) for k in figures)
    print()
    for key, value in sorted(figures.items()):
        print(f"{key:<{width}}  {value:>14,.2f}")
    print(f"\nwritten to {RESULTS}")
    return 0
