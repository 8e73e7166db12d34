"""Benchmark: ``verify_corpus`` reading and checking every file of the real RAVDESS and EMOVO (no features).

Per corpus: wall and CPU seconds of :func:`serzoo.verify_corpus.verify_corpus` (every WAV read, checked and
hashed; names parsed; counts compared), the median and range of ``--repeats`` runs after one warm-up run (the
page cache holds the files), and once the import of the two builder modules (TFDS) that a fresh
``serzoo verify-corpus`` process pays first. Target (issue 30): both corpora read in under 5 s.
Run: ``SERZOO_RAVDESS_DIR=PATH SERZOO_EMOVO_DIR=PATH python benchmarks/bench_verify_corpus.py [--repeats 3]``.
"""

import argparse
import os
import resource
import statistics
import time


def corpus_folder(name: str) -> str:
    """``$SERZOO_<NAME>_DIR``; exits with a message when it is unset."""
    from serzoo.data import manual_dir_env

    variable = manual_dir_env(name)
    if not os.environ.get(variable):
        raise SystemExit(f"set {variable} to the {name} folder")
    return os.environ[variable]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(run) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), _cpu()
    run()
    return time.perf_counter() - wall, _cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from serzoo.builders import builder_module

    wall, cpu = _timed(lambda: [builder_module(name) for name in ("ravdess", "emovo")])
    print(f"import of the builder modules: {wall:.2f} s wall, {cpu:.2f} s CPU")
    from serzoo.verify_corpus import verify_corpus

    folders = {name: corpus_folder(name) for name in ("ravdess", "emovo")}
    totals = []
    print(f"\n{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}\n")
    print("| corpus | wall s, median (range) | CPU s, median |")
    print("|---|---|---|")
    for name, folder in folders.items():
        verify_corpus(name, folder, echo=False)  # warm-up: the page cache
        runs = [_timed(lambda n=name, f=folder: verify_corpus(n, f, echo=False)) for _ in range(args.repeats)]
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        totals.append(walls)
        spread = f"{statistics.median(walls):.2f} ({min(walls):.2f}-{max(walls):.2f})"
        print(f"| {name} | {spread} | {statistics.median(cpus):.2f} |")
    both = [sum(run) for run in zip(*totals)]
    print(f"| both | {statistics.median(both):.2f} ({min(both):.2f}-{max(both):.2f}) | |")
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
