"""Benchmark: one `serzoo tune` search run by 1 process vs a local chief + N workers (KerasTuner's chief/worker
mode on 127.0.0.1), same trials, measured in one run; prints trials per hour and the speed-up.

Each arm runs `serzoo tune --jobs 1` or `--jobs N` in a fresh output directory (so both pay TensorFlow's
start-up), random search with a fixed seed, `--no-evaluate`.

Run: python benchmarks/bench_tune.py --dataset synth_emo/is11 --scheme adan --trials 6 --epochs 20 --jobs 2
     python benchmarks/bench_tune.py --dataset emodb/is11 --manual-dir $SERZOO_EMODB_DIR --scheme wadan \\
         --trials 4 --epochs 100 --jobs 2
"""

import argparse
import json
import pathlib
import subprocess
import sys
import tempfile
import time


def run_arm(args, jobs: int, out: pathlib.Path) -> dict:
    argv = [
        sys.executable,
        "-m",
        "serzoo.cli",
        "tune",
        "--dataset",
        args.dataset,
        "--scheme",
        args.scheme,
        "--tuner",
        "random",
        "--max-trials",
        str(args.trials),
        "--epochs",
        str(args.epochs),
        "--classifier",
        args.classifier,
        "--no-evaluate",
        "--output-dir",
        str(out),
        "--jobs",
        str(jobs),
    ]
    if args.manual_dir:
        argv += ["--manual-dir", args.manual_dir]
    if args.options:
        argv += ["--options", args.options]
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    result = json.loads((out / "results.json").read_text())
    return {
        "jobs": jobs,
        "seconds": seconds,
        "completed": result["counts"].get("COMPLETED", 0),
        "trials_per_hour": 3600 * result["counts"].get("COMPLETED", 0) / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="synth_emo/is11")
    parser.add_argument("--manual-dir", default=None)
    parser.add_argument("--scheme", default="adan")
    parser.add_argument("--classifier", default="dnn")
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--options", default=None, help="builder options held fixed (JSON)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-tune-") as tmp:
        arms = [run_arm(args, jobs, pathlib.Path(tmp) / f"jobs{jobs}") for jobs in (1, args.jobs)]
    print(
        f"{args.dataset}, {args.scheme}, {args.trials} random trials of {args.epochs} epochs, classifier "
        f"{args.classifier}"
    )
    print("| processes | wall s | completed | trials per hour |\n|---|---|---|---|")
    for arm in arms:
        label = "1 process" if arm["jobs"] == 1 else f"chief + {arm['jobs']} workers"
        print(f"| {label} | {arm['seconds']:.0f} | {arm['completed']} | {arm['trials_per_hour']:.1f} |")
    print(f"speed-up: {arms[0]['seconds'] / arms[1]['seconds']:.2f}x")


if __name__ == "__main__":
    main()
