"""Benchmark: openSMILE extraction throughput (files/s) with 1 worker vs all cores, per feature set.

Prints one row per feature set and the parallel speed-up ratio measured in the same run.
Run: python benchmarks/bench_features.py [--files N] [--emodb PATH]
"""

import argparse
import os
import pathlib
import time

from serzoo import features


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    default = os.environ.get("SERZOO_EMODB_DIR", pathlib.Path(__file__).resolve().parents[2] / "shared/corpora/emodb")
    parser.add_argument("--emodb", default=default)
    parser.add_argument("--files", type=int, default=120)
    args = parser.parse_args()
    paths = sorted(pathlib.Path(args.emodb, "wav").glob("*.wav"))[: args.files]
    if not paths:
        raise SystemExit(f"no WAV files under {args.emodb}/wav (set --emodb)")
    cores = os.cpu_count()
    print(f"{len(paths)} EmoDB files, {cores} cores\n")
    print(f"| feature set | 1 worker files/s | {cores} workers files/s | speed-up |")
    print("|---|---|---|---|")
    for fs in features.FEATURE_SETS.values():
        rates = []
        for workers in (1, cores):
            start = time.perf_counter()
            features.extract_many(paths, fs.name, n_jobs=workers, progress=False)
            rates.append(len(paths) / (time.perf_counter() - start))
        print(f"| {fs.name} | {rates[0]:.1f} | {rates[1]:.1f} | {rates[1] / rates[0]:.2f}× |")


if __name__ == "__main__":
    main()
