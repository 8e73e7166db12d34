"""Benchmark: serzoo's openSMILE extraction of the real RAVDESS + EMOVO files against plain opensmile loops.

Measured in one run over the same files (48 kHz WAVs; the page cache warmed first by reading every file once),
no feature cache (``cache_dir=None``), one openSMILE feature set (IS11 by default):

* ``plain, process_file at 48 kHz``: ``opensmile.Smile(IS11).process_file(path)`` in this process, file by file:
  openSMILE reads the file itself and analyses it at its native 48 kHz (first channel: Smile's default);
* ``plain, process_file resampled``: the same with ``Smile(..., sampling_rate=16000, resample=True)``
  (opensmile's own resampler, audresample), i.e. the 16 kHz analysis serzoo does;
* ``plain, soundfile + resample_poly``: ``soundfile.read``, the builder's channel (EMOVO first, RAVDESS mean),
  ``scipy.signal.resample_poly`` to 16 kHz, ``Smile.process_signal``: serzoo's reading without its checks,
  in this process;
* ``serzoo extract_many, N worker(s)``: :func:`serzoo.features.extract_many` with ``n_jobs=N``, each corpus
  with its builder's ``AUDIO_CHANNEL``, including the spawned workers' start-up.

Each pass reports wall seconds and CPU seconds (this process and its finished workers): on a machine that
others share, files per CPU second is the steadier per-worker throughput, wall time the speed-up of 2 workers.
Targets (issue 30): serzoo with 1 worker >= 0.9x the plain 16 kHz loops' throughput; 2 workers >= 1.7x 1 worker.
Run: ``SERZOO_RAVDESS_DIR=PATH SERZOO_EMOVO_DIR=PATH python benchmarks/bench_extraction.py [--files N]
[--feature-set is11]``.
"""

import argparse
import os
import pathlib
import resource
import time

import numpy as np
from bench_verify_corpus import corpus_folder

from serzoo import features


def corpus_files(limit: int | None) -> list[tuple[pathlib.Path, int | None]]:
    """``(path, channel)`` of every RAVDESS and EMOVO file (every k-th for ``limit`` files), channel as built."""
    from serzoo.tfds_builders.emovo import emovo_dataset_builder as emovo
    from serzoo.tfds_builders.ravdess import ravdess_dataset_builder as ravdess

    files = []
    for module in (ravdess, emovo):
        root = corpus_folder(module.Builder.name)
        utterances = module.scan_corpus(root).checked(module.Builder.name, module.LAYOUT)
        files += [(u.path, module.Builder.AUDIO_CHANNEL) for u in utterances]
    if limit:
        files = files[:: max(1, len(files) // limit)][:limit]
    return files


def plain_process_file(files, fs, resample: bool) -> None:
    import opensmile

    options = {"sampling_rate": 16000, "resample": True} if resample else {}
    smile = opensmile.Smile(opensmile.FeatureSet[fs.opensmile_set], opensmile.FeatureLevel[fs.level], **options)
    for path, _ in files:
        smile.process_file(str(path))


def plain_soundfile_resample(files, fs) -> None:
    import opensmile
    import soundfile
    from scipy.signal import resample_poly

    smile = opensmile.Smile(opensmile.FeatureSet[fs.opensmile_set], opensmile.FeatureLevel[fs.level])
    for path, channel in files:
        signal, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
        mono = signal.mean(axis=1) if channel is None else signal[:, channel]
        smile.process_signal(resample_poly(mono, 1, rate // 16000).astype(np.float32), 16000)


def serzoo_extract(files, fs, workers: int) -> None:
    for channel in sorted({c for _, c in files}, key=str):
        paths = [p for p, c in files if c == channel]
        features.extract_many(paths, fs.name, n_jobs=workers, channel=channel, progress=False)


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (the pool's workers)."""
    mine, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=None, help="every k-th file, this many (default all 2,028)")
    parser.add_argument("--feature-set", default="is11")
    parser.add_argument("--no-native", action="store_true", help="skip the 48 kHz loop (2.5x the work of the others)")
    args = parser.parse_args()
    fs = features.get_feature_set(args.feature_set)
    files = corpus_files(args.files)
    for path, _ in files:  # warm the page cache: every pass reads from memory
        path.read_bytes()
    import opensmile  # noqa: F401  (imported once here, not inside the first pass)

    passes = {
        "plain, process_file resampled to 16 kHz": lambda: plain_process_file(files, fs, resample=True),
        "plain, soundfile + resample_poly to 16 kHz": lambda: plain_soundfile_resample(files, fs),
        "serzoo extract_many, 1 worker": lambda: serzoo_extract(files, fs, 1),
        "serzoo extract_many, 2 workers": lambda: serzoo_extract(files, fs, 2),
        "serzoo start-up: extract_many of 1 file, 1 worker": lambda: serzoo_extract(files[:1], fs, 1),
    }
    # Two rounds, the second in reverse order (A B C D, D C B A): a load that drifts during the run weighs on
    # every pass alike. The 48 kHz loop runs once, last.
    order = [*passes, *reversed(passes)]
    if not args.no_native:
        passes["plain, process_file at 48 kHz"] = lambda: plain_process_file(files, fs, resample=False)
        order.append("plain, process_file at 48 kHz")
    seconds, cpu, runs = dict.fromkeys(passes, 0.0), dict.fromkeys(passes, 0.0), dict.fromkeys(passes, 0)
    load = os.getloadavg()[0]
    for name in order:
        start, start_cpu = time.perf_counter(), _cpu()
        passes[name]()
        wall, used = time.perf_counter() - start, _cpu() - start_cpu
        seconds[name], cpu[name], runs[name] = seconds[name] + wall, cpu[name] + used, runs[name] + 1
        print(f"  {name}: {wall:.1f} s wall, {used:.1f} s CPU", flush=True)
    rate = {name: len(files) * runs[name] / seconds[name] for name in passes}
    cpu_rate = {name: len(files) * runs[name] / cpu[name] for name in passes}
    one, one_cpu = rate["serzoo extract_many, 1 worker"], cpu_rate["serzoo extract_many, 1 worker"]
    print(
        f"\n{len(files)} files (RAVDESS + EMOVO, 48 kHz), {fs.name}, {os.cpu_count()} cores, load average "
        f"{load:.1f} at the start and {os.getloadavg()[0]:.1f} at the end; seconds per pass (mean of its runs)\n"
    )
    print(
        "| pass | runs | wall s | files/s | serzoo 1 worker / this | CPU s | files per CPU s | serzoo 1 worker / this |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name in passes:
        if name.startswith("serzoo start-up"):
            continue
        print(
            f"| {name} | {runs[name]} | {seconds[name] / runs[name]:.1f} | {rate[name]:.2f} | {one / rate[name]:.2f} | "
            f"{cpu[name] / runs[name]:.1f} | {cpu_rate[name]:.2f} | {one_cpu / cpu_rate[name]:.2f} |"
        )
    start_up = "serzoo start-up: extract_many of 1 file, 1 worker"
    print(f"\n{start_up}: {seconds[start_up] / 2:.1f} s wall, {cpu[start_up] / 2:.1f} s CPU (mean of 2)")
    print(f"2 workers / 1 worker: {rate['serzoo extract_many, 2 workers'] / one:.2f}x")


if __name__ == "__main__":
    main()
