"""Benchmark: a reduced Yi & Mak reproduction with ``--jobs 1`` and ``--jobs N``, measured in one run.

Runs ``serzoo reproduce yi-mak-emodb`` twice on the same corpus and settings into fresh output folders (so nothing
is reused), first with one in-process worker (``--jobs 1``, all TensorFlow threads), then with ``--jobs N``
one-thread worker processes, and prints for each: wall time, compute time per unit type (generator fit per method,
sampling, classifier fits per classifier, summed over units) from ``results.json``, and the same-run dense-matmul
rate as the machine's reference, and each kernel's share of that rate (generator train steps per scheme, DNN
classifier epochs, SVM fits; FLOPs counted by ``benchmarks/flops.py``). The units of both runs are compared (the
numbers must agree up to float reduction order: ``--jobs 1`` uses all threads, the workers one each).

Run (EmoDB; a few minutes):
    nice -n 10 python benchmarks/bench_reproduce.py --manual-dir $SERZOO_EMODB_DIR --folds 2 \\
        --methods smote,cgan,wadan --epochs 50

``--full DIR``: one run only, the whole default reproduction (every method, every fold, k in {0, 10}, the default
schedule, ``--no-synthetic-only`` as the committed 400-epoch run, ``--jobs N``) into ``DIR`` (kept: it is the
reproduction's unit store and report), with the same profile (wall, compute per unit type, kernel fractions of the
same-run matmul):
    python benchmarks/bench_reproduce.py --manual-dir $SERZOO_EMODB_DIR --full benchmarks/results/yi_mak_emodb
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


def flops_json(*arguments) -> dict:
    """``benchmarks/flops.py`` in its own process (this one never imports TensorFlow)."""
    done = subprocess.run(
        [sys.executable, str(pathlib.Path(__file__).with_name("flops.py")), *arguments],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def kernel_rates(run: dict, counts: dict) -> dict:
    """FLOP/s of each kernel over a run's units: generator fits per scheme (:func:`flops.scheme_flops_per_epoch`
    x epochs), DNN classifiers (:func:`flops.dnn_flops_per_sample` x rows x epochs) and SVM fits (Gram matrix)."""
    work, seconds = collections.defaultdict(float), collections.defaultdict(float)
    for t in run["timings"]:
        fold = counts["folds"][t["fold"]]
        if t["method"] in fold["epoch_flops"]:
            work[f"fit {t['method']}"] += fold["epoch_flops"][t["method"]] * run["epochs"][t["method"]]
            seconds[f"fit {t['method']}"] += t["fit_seconds"]
    for r in run["records"]:
        fold = counts["folds"][r["fold"]]
        n, dim = fold["n_train"], fold["dim"]
        rows = n * r["k"] if r["synthetic_only"] else n * (1 + r["k"])
        kernel = f"{r['classifier']} classifier"
        if r["classifier"] == "dnn":
            work[kernel] += counts["dnn_flops_per_sample"] * rows * counts["dnn_epochs"]
        else:
            work[kernel] += 2 * rows * rows * dim  # flops.svm_fit_flops: the Gram matrix
        seconds[kernel] += r["seconds"]
    return {kernel: work[kernel] / seconds[kernel] for kernel in work}


def reproduce(args, jobs: int, out: pathlib.Path) -> dict:
    command = [
        sys.executable,
        "-m",
        "serzoo.cli",
        "reproduce",
        "yi-mak-emodb",
        "--dataset",
        args.dataset,
        "--k",
        "0,10",
        "--jobs",
        str(jobs),
        "--output-dir",
        str(out),
    ]
    command += ["--no-synthetic-only"]  # as the committed 400-epoch reproduction (and the 3.3-hour figure)
    if not args.full:
        command += ["--methods", args.methods, "--epochs", str(args.epochs), "--folds", str(args.folds)]
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
    return {
        "wall": wall,
        "per_type": dict(per_type),
        "table": result["table"],
        "timings": result["timings"],
        "records": json.loads((out / "predictions.json").read_text()),
        "epochs": result["epochs"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="emodb/is11")
    parser.add_argument("--manual-dir", default=None)
    parser.add_argument("--folds", type=int, default=2)
    parser.add_argument("--methods", default="smote,cgan,wadan")
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--full",
        type=pathlib.Path,
        default=None,
        metavar="DIR",
        help="one run of the whole default reproduction into DIR (--jobs N only; no --jobs 1 arm)",
    )
    args = parser.parse_args()
    if args.full:
        args.folds, args.methods = 10, "none,duplicate,noise,smote,gan,cgan,aae,adan,wadan"
    data = ["--dataset", args.dataset, *(["--manual-dir", args.manual_dir] if args.manual_dir else [])]
    counts = flops_json("schemes", *data, "--folds", str(args.folds), "--methods", args.methods)
    matmul = {threads: [flops_json("matmul", "--threads", str(threads))["matmul_flops"]] for threads in (0, 1)}
    print(
        f"load average at start: {os.getloadavg()[0]:.2f}; dense matmul: {matmul[0][0] / 1e9:.1f} GFLOP/s "
        f"(TensorFlow's threads), {matmul[1][0] / 1e9:.1f} GFLOP/s (1 thread)",
        flush=True,
    )
    if args.full:
        runs = {args.jobs: reproduce(args, args.jobs, args.full)}
    else:
        with tempfile.TemporaryDirectory() as tmp:
            runs = {jobs: reproduce(args, jobs, pathlib.Path(tmp) / f"jobs{jobs}") for jobs in (1, args.jobs)}
    for threads in (0, 1):
        matmul[threads].append(flops_json("matmul", "--threads", str(threads))["matmul_flops"])
    print(
        f"dense matmul after the runs: {matmul[0][1] / 1e9:.1f} / {matmul[1][1] / 1e9:.1f} GFLOP/s; the "
        "fractions below use the better of before and after"
    )
    types = sorted({t for run in runs.values() for t in run["per_type"]})
    epochs = "the default schedule" if args.full else f"{args.epochs} epochs"
    print(f"\n{args.folds} folds, methods {args.methods}, {epochs}, k in {{0, 10}}\n")
    print("| | " + " | ".join(f"--jobs {j}" for j in runs) + " |")
    print("|---|" + "---|" * len(runs))
    print("| wall s | " + " | ".join(f"{r['wall']:.0f}" for r in runs.values()) + " |")
    for t in types:
        print(f"| compute s, {t} | " + " | ".join(f"{r['per_type'].get(t, 0):.0f}" for r in runs.values()) + " |")
    if 1 in runs and args.jobs in runs and args.jobs != 1:
        speed_up = runs[1]["wall"] / runs[args.jobs]["wall"]
        print(f"\nspeed-up of --jobs {args.jobs} over --jobs 1 (wall): {speed_up:.2f}x")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    reference = {jobs: max(matmul[0 if jobs == 1 else 1]) for jobs in runs}  # --jobs N: one-thread workers
    rates = {jobs: kernel_rates(run, counts) for jobs, run in runs.items()}
    print(
        "\nEach kernel's FLOP/s (counted FLOPs / compute seconds summed over units) as a fraction of the same-run "
        "dense matmul ("
        + "; ".join(
            f"--jobs {j}: {reference[j] / 1e9:.0f} GFLOP/s"
            + (" with TensorFlow's threads" if j == 1 else " on one thread, as each worker")
            for j in runs
        )
        + ")\n"
    )
    print("| kernel | " + " | ".join(f"--jobs {j} GFLOP/s | of matmul" for j in runs) + " |")
    print("|---|" + "---|---|" * len(runs))
    for kernel in sorted(next(iter(rates.values()))):
        print(
            f"| {kernel} | "
            + " | ".join(f"{rates[j][kernel] / 1e9:.1f} | {rates[j][kernel] / reference[j]:.0%}" for j in runs)
            + " |"
        )
    if len(runs) == 2:
        one, many = runs.values()
        differ = [
            (a["method"], a["classifier"], a["k"])
            for a, b in zip(one["table"], many["table"])
            if abs(a["uar"] - b["uar"]) > 1e-9
        ]
        print(
            f"UAR cells that differ between the runs (thread count changes float reduction order): {differ or 'none'}"
        )


if __name__ == "__main__":
    main()
