"""Run every benchmark module (or those named on the command line): `python -m benchmarks [name ...]`."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def report(name: str, value: float, unit: str, floor: float | None = None) -> None:
    human = f"{name:<32} {value:>12.3f} {unit}"
    if floor is not None and floor:
        human += f"   (floor {floor:.3f} {unit}, ratio {value / floor:.2f} x)"
    print(human, flush=True)
    print(f"BENCH {name} {value:.6g} {unit}", flush=True)
    if floor is not None:
        print(f"BENCH {name}.floor {floor:.6g} {unit}", flush=True)
        if floor:
            print(f"BENCH {name}.ratio {value / floor:.4g} x", flush=True)


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if argv:
        names = [n for n in names if any(a in n for a in argv)]
    failed = 0
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        try:
            module.run(report)
        except Exception as exc:  # one failing benchmark does not hide the others' figures
            failed += 1
            print(f"!! {name} failed: {exc!r}", flush=True)
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
