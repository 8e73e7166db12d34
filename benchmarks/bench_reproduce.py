"""Benchmark: a reduced Yi & Mak reproduction with ``--jobs 1`` and ``--jobs N``, measured in one run.

Runs ``serzoo reproduce yi-mak-emodb`` twice on the same corpus and settings into fresh output folders (so nothing
is reused), first with one in-process worker (``--jobs 1``, all TensorFlow threads), then with ``--jobs N``
one-thread worker processes, and prints for each: wall time, compute time per unit type (generator fit per method,
sampling, classifier fits per classifier, summed over units) from ``results.json``, and the same-run dense-matmul
rate as the machine's reference. The units of both runs are compared (the numbers must agree up to float
reduction order: ``--jobs 1`` uses all threads, the workers one each).

Run (EmoDB; a few minutes):
    nice -n 10 python benchmarks/bench_reproduce.py --manual-dir ../shared/corpora/emodb --folds 2 \\
        --methods smote,cgan,wadan --epochs 50
"""

import argparse
import collections
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time


def matmul_gflops(size: int = 2048) -> float:
    code = (f"import time, tensorflow as tf; a = tf.random.normal(({size}, {size})); "
            "f = tf.function(lambda a: tf.matmul(a, a)); f(a).numpy(); t = time.perf_counter(); "
            f"[f(a).numpy() for _ in range(10)]; print(10 * 2 * {size} ** 3 / (time.perf_counter() - t) / 1e9)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return float(done.stdout.strip().splitlines()[-1])


def reproduce(args, jobs: int, out: pathlib.Path) -> dict:
    command = [sys.executable, "-m", "serzoo.cli", "reproduce", "yi-mak-emodb", "--dataset", args.dataset,
               "--methods", args.methods, "--epochs", str(args.epochs), "--ks", "0,10", "--folds", str(args.folds),
               "--no-synthetic-only", "--jobs", str(jobs), "--output-dir", str(out)]
    if args.manual_dir:
        command += ["--manual-dir", args.manual_dir]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    result = json.loads((out / "results.json").read_text())
    per_type = collections.defaultdict(float)
    for t in result["timings"]:
        per_type[f"fit {t['method']}"] += t["fit_seconds"]
        per_type["sampling"] += t["sample_seconds"]
    for r in json.loads((out / "predictions.json").read_text()):
        per_type[f"classifier {r['classifier']}"] += r["seconds"]
    return {"wall": wall, "per_type": dict(per_type), "table": result["table"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="emodb/is11")
    parser.add_argument("--manual-dir", default=None)
    parser.add_argument("--folds", type=int, default=2)
    parser.add_argument("--methods", default="smote,cgan,wadan")
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}; dense matmul: {matmul_gflops():.1f} GFLOP/s")
    with tempfile.TemporaryDirectory() as tmp:
        runs = {jobs: reproduce(args, jobs, pathlib.Path(tmp) / f"jobs{jobs}") for jobs in (1, args.jobs)}
    types = sorted({t for run in runs.values() for t in run["per_type"]})
    print(f"\n{args.folds} folds, methods {args.methods}, {args.epochs} epochs, k in {{0, 10}}\n")
    print("| | " + " | ".join(f"--jobs {j}" for j in runs) + " |")
    print("|---|" + "---|" * len(runs))
    print("| wall s | " + " | ".join(f"{r['wall']:.0f}" for r in runs.values()) + " |")
    for t in types:
        print(f"| compute s, {t} | " + " | ".join(f"{r['per_type'].get(t, 0):.0f}" for r in runs.values()) + " |")
    one, many = runs[1], runs[args.jobs]
    print(f"\nspeed-up of --jobs {args.jobs} over --jobs 1 (wall): {one['wall'] / many['wall']:.2f}x; "
          f"load average at end: {os.getloadavg()[0]:.2f}")
    differ = [(a["method"], a["classifier"], a["k"]) for a, b in zip(one["table"], many["table"])
              if abs(a["uar"] - b["uar"]) > 1e-9]
    print(f"UAR cells that differ between the runs (thread count changes float reduction order): {differ or 'none'}")


if __name__ == "__main__":
    main()
