"""Benchmark: how serzoo's costs grow with corpus size (issue 33's cost curves), on synth_emo scaled up.

synth_emo at 280 (its default size) / 1k / 5k / 20k / 50k utterances (more speakers and more utterances per
speaker, IS11 features); every (size, stage) is one unit run in its own process, which records its wall time, CPU
time (its own and its finished children's) and peak resident memory in a JSON-lines store. Finished units are never
run again, so an interrupted run resumes; the WAVs and the feature caches are kept under ``--root``.

Stages: ``synth`` (WAVs, 2 processes), ``build_local`` (extraction in the local process pool + tfrecords, empty
feature cache), ``build_beam`` (the same files through Beam's DirectRunner, 2 worker processes, its own empty
cache), ``build_pair`` (both, back to back on the same files: the throughput ratio), ``load`` (``load_corpus``'s
reading of every split into memory), ``svm`` and ``dnn`` (one leave-one-speaker-out fold: normalisation, fit,
predict; DNN ``--dnn-epochs``), ``wadan`` (one generator fit on that fold's training speakers, ``--wadan-epochs``
of the fast schedule's batch 32). A tune trial is not a stage of its own: it is one generator fit and one
classifier fit per inner fold of the development speakers (``tuning.objectives``).

    python benchmarks/bench_scale.py run --sizes 1000,5000 --stages synth,build_local,build_beam,load,svm,dnn,wadan
    python benchmarks/bench_scale.py report benchmarks/results/scale/units.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pathlib
import resource
import subprocess
import sys
import time

import numpy as np

#: utterances -> (speakers, utterances per speaker and emotion); 7 emotions
SIZES = {280: (10, 4), 1000: (20, 7), 5000: (40, 18), 20000: (80, 36), 50000: (99, 72)}
STAGES = ("synth", "build_local", "build_beam", "build_pair", "load", "svm", "dnn", "wadan")
FEATURE_SET, DIM = "is11", 4368
BEAM = "direct_running_mode=multi_processing,direct_num_workers=2"
#: corpora to predict for: utterances (IEMOCAP: the 10,039 turns; MSP-IMPROV: 8,438; MSP-Podcast 1.11: 151,654)
TARGETS = {"IEMOCAP": 10039, "MSP-IMPROV": 8438, "MSP-Podcast": 151654}
HERE = pathlib.Path(__file__).resolve().parent


def _builder(size: int, root: pathlib.Path, kind: str = "local"):
    from serzoo.tfds_builders.synth_emo.synth_emo_dataset_builder import Builder

    return Builder.scaled(*SIZES[size])(config=FEATURE_SET, data_dir=root / f"data_{kind}")


def _peak_mb(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def _use_cache(root: pathlib.Path, kind: str) -> None:
    """Feature cache ``root/cache_<kind>`` (each build starts from its own empty one), sharing the WAVs that the
    ``synth`` stage wrote into ``cache_local`` (synth_emo keeps them under the cache root)."""
    cache = root / f"cache_{kind}"
    os.environ["SERZOO_CACHE_DIR"] = str(cache)
    if kind != "local" and not (cache / "synth_emo").exists():
        cache.mkdir(parents=True, exist_ok=True)
        (cache / "synth_emo").symlink_to(root / "cache_local" / "synth_emo", target_is_directory=True)


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (pool workers, Beam workers and their children): on a
    shared machine the wall time depends on the others' load, the CPU time much less."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _corpus(size, root):
    from serzoo.data import Corpus, _split_to_numpy

    builder = _builder(size, root)
    splits = {s: _split_to_numpy(builder, s) for s in builder.group_splits()}
    return Corpus("synth_emo", FEATURE_SET, list(builder.info.features["label"].names), splits, FEATURE_SET)


def _first_fold(corpus):
    from serzoo.data import iter_folds

    return next(iter_folds(corpus, max_folds=1, progress=False))


def run_stage(stage: str, size: int, root: pathlib.Path, args) -> dict:
    """Run one unit in this process; returns what it measured."""
    _use_cache(root, "beam" if stage == "build_beam" else "local")
    from serzoo.quiet import import_tensorflow_quietly

    if stage not in ("synth",):
        import_tensorflow_quietly()
    baseline = _peak_mb()
    extra = {}
    start, cpu = time.perf_counter(), _cpu_s()
    if stage == "synth":
        from serzoo import synth_corpus

        builder = _builder(size, root)
        synth_corpus.write_corpus(builder.wav_folder(), *SIZES[size], seed=0, n_jobs=2)
    elif stage in ("build_local", "build_beam"):
        from serzoo import beam_options

        builder = _builder(size, root, stage.removeprefix("build_"))
        with beam_options.requested(BEAM if stage == "build_beam" else None):
            builder.download_and_prepare()
        extra["tfrecord_mb"] = sum(f.stat().st_size for f in pathlib.Path(builder.data_dir).glob("*tfrecord*")) / 1e6
    elif stage == "build_pair":  # local then Beam on the same files, back to back, each from an empty cache
        from serzoo import beam_options

        for kind, options in (("pair_local", None), ("pair_beam", BEAM)):
            _use_cache(root, kind)
            builder = _builder(size, root, kind)
            begin, begin_cpu = time.perf_counter(), _cpu_s()
            with beam_options.requested(options):
                builder.download_and_prepare()
            extra[f"{kind}_wall_s"], extra[f"{kind}_cpu_s"] = time.perf_counter() - begin, _cpu_s() - begin_cpu
            extra[f"{kind}_load_average"] = os.getloadavg()[0]
        extra["beam_over_local_throughput"] = extra["pair_local_wall_s"] / extra["pair_beam_wall_s"]
    elif stage == "load":
        corpus = _corpus(size, root)
        extra["matrix_mb"] = sum(s.x.nbytes for s in corpus.splits.values()) / 1e6
    else:
        corpus = _corpus(size, root)
        extra["load_s_excluded"] = time.perf_counter() - start
        start, cpu = time.perf_counter(), _cpu_s()
        extra.update(_model_stage(stage, corpus, args))
    wall = time.perf_counter() - start
    return {
        "size": size,
        "stage": stage,
        "wall_s": wall,
        "cpu_s": _cpu_s() - cpu,
        "peak_mb": _peak_mb(),
        "baseline_mb": baseline,
        "child_peak_mb": _peak_mb(children=True),
        "load_average": os.getloadavg()[0],
        **extra,
    }


def _model_stage(stage, corpus, args) -> dict:
    from serzoo.metrics import unweighted_average_recall as uar

    fold = _first_fold(corpus)
    n_classes = corpus.n_classes
    if stage == "svm":
        from serzoo.models.classifiers import LinearSvm

        model = LinearSvm().fit(fold.x_train, fold.y_train, n_classes)
        return {
            "n_train": int(fold.y_train.size),
            "uar": float(uar(fold.y_test, model.predict(fold.x_test), n_classes)),
        }
    if stage == "dnn":
        from serzoo.models.classifiers import DnnClassifier

        model = DnnClassifier(epochs=args.dnn_epochs).fit(fold.x_train, fold.y_train, n_classes)
        return {"n_train": int(fold.y_train.size), "epochs": args.dnn_epochs}
    if stage == "wadan":
        from serzoo.augmenters import SchemeAugmenter
        from serzoo.schedules import training_for

        SchemeAugmenter("wadan", training=training_for("wadan", epochs=args.wadan_epochs)).fit(
            fold.x_train, fold.y_train, n_classes
        )
        return {"n_train": int(fold.y_train.size), "epochs": args.wadan_epochs}
    raise ValueError(f"unknown stage {stage!r}")


def _store(path: pathlib.Path) -> list[dict]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def run(args) -> None:
    store = pathlib.Path(args.output)
    store.parent.mkdir(parents=True, exist_ok=True)
    root = pathlib.Path(args.root)
    for size in [int(s) for s in args.sizes.split(",")]:
        for stage in args.stages.split(","):
            if any(u["size"] == size and u["stage"] == stage for u in _store(store)):
                continue
            argv = [sys.executable, __file__, "unit", "--stage", stage, "--size", str(size), "--root", str(root)]
            argv += ["--dnn-epochs", str(args.dnn_epochs), "--wadan-epochs", str(args.wadan_epochs)]
            print(f"{time.strftime('%H:%M:%S')} size {size}: {stage}", flush=True)
            done = subprocess.run(argv, capture_output=True, text=True)
            lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
            if done.returncode or not lines:
                print(f"  failed ({done.returncode}):\n{done.stderr[-3000:]}", flush=True)
                continue
            unit = json.loads(lines[-1])
            print(f"  {unit['wall_s']:.1f} s, peak {unit['peak_mb']:.0f} MB", flush=True)
            with open(store, "a", encoding="utf-8") as stream:
                stream.write(json.dumps(unit) + "\n")


def fit_power_law(sizes, values) -> tuple[float, float]:
    """``(a, b)`` of the least-squares line ``log v = log a + b log n``."""
    b, log_a = np.polyfit(np.log(sizes), np.log(values), 1)
    return float(math.exp(log_a)), float(b)


def _cost(unit) -> float | None:
    """What the curves fit: CPU seconds (robust to the others' load); ``None`` for a unit without them."""
    return unit.get("cpu_s")


def report(args) -> None:
    units = _store(pathlib.Path(args.store))
    stages = [s for s in STAGES if any(u["stage"] == s for u in units)]
    sizes_all = sorted({u["size"] for u in units})
    print("Per stage: wall s / CPU s, peak resident MB (load average at the end); exponent b of CPU s = a·n^b\n")
    print("| stage | " + " | ".join(f"{n:,} utt." for n in sizes_all) + " | exponent b |")
    print("|---|" + "---|" * len(sizes_all) + "---|")
    fits = {}
    for stage in stages:
        rows = sorted((u for u in units if u["stage"] == stage), key=lambda u: u["size"])
        cells = {
            u["size"]: f"{u['wall_s']:.0f} / {_cost(u) or float('nan'):.0f} s, "
            f"{max(u['peak_mb'], u['child_peak_mb']):.0f} MB ({u['load_average']:.1f})"
            for u in rows
        }
        exponent = "–"
        timed = [u for u in rows if _cost(u)]
        if len(timed) >= 2:
            fits[stage] = fit_power_law([u["size"] for u in timed], [_cost(u) for u in timed])
            exponent = f"{fits[stage][1]:.2f} ({len(timed)} sizes)"
        print(f"| {stage} | " + " | ".join(cells.get(n, "–") for n in sizes_all) + f" | {exponent} |")
    loads = [u for u in units if u["stage"] == "load"]
    if loads:
        print("\nload_corpus peak memory over the feature matrix (peak − baseline after imports):")
        for u in loads:
            print(
                f"- {u['size']:,}: {(u['peak_mb'] - u['baseline_mb']) / u['matrix_mb']:.2f}× of {u['matrix_mb']:.0f} MB"
            )
    print(
        "\nPredicted CPU time: fixed + per utterance × n, the line through the two largest sizes (at these sizes the "
        "fixed costs — imports, compilation, process start — make the log-log exponents understate the growth):\n"
    )
    print("| stage | CPU s per 1k utt. | " + " | ".join(f"{k} ({v:,})" for k, v in TARGETS.items()) + " |")
    print("|---|---|" + "---|" * len(TARGETS))
    for stage in fits:
        timed = sorted((u for u in units if u["stage"] == stage and _cost(u)), key=lambda u: u["size"])[-2:]
        (n1, c1), (n2, c2) = ((u["size"], _cost(u)) for u in timed)
        slope = (c2 - c1) / (n2 - n1)
        fixed = max(0.0, c2 - slope * n2)
        cells = " | ".join(_duration(fixed + slope * n) for n in TARGETS.values())
        print(f"| {stage} | {1000 * slope:.1f} | {cells} |")
    if args.figure:
        _figure(units, fits, stages, args.figure)


def _duration(seconds: float) -> str:
    return (
        f"{seconds:.0f} s"
        if seconds < 120
        else f"{seconds / 60:.0f} min"
        if seconds < 7200
        else f"{seconds / 3600:.1f} h"
    )


def _figure(units, fits, stages, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    for stage in stages:
        rows = sorted((u for u in units if u["stage"] == stage), key=lambda u: u["size"])
        n = np.array([u["size"] for u in rows])
        label = stage + (f" (b = {fits[stage][1]:.2f})" if stage in fits else "")
        timed = [u for u in rows if _cost(u)]
        (line,) = left.loglog([u["size"] for u in timed], [_cost(u) for u in timed], "o-", label=label)
        right.loglog(n, [max(u["peak_mb"], u["child_peak_mb"]) for u in rows], "o-", color=line.get_color())
    left.set(xlabel="utterances", ylabel="CPU time (s)", title="CPU time per stage (fitted exponent b)")
    right.set(xlabel="utterances", ylabel="peak resident memory (MB)", title="peak memory per stage")
    left.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"\nfigure: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("run", "unit"):
        p = sub.add_parser(name)
        p.add_argument("--root", default="/tmp/serzoo-scale", help="WAVs, feature caches and datasets")
        p.add_argument("--dnn-epochs", type=int, default=10)
        p.add_argument("--wadan-epochs", type=int, default=5)
    sub.choices["run"].add_argument("--sizes", default="1000,5000,20000,50000")
    sub.choices["run"].add_argument("--stages", default=",".join(STAGES))
    sub.choices["run"].add_argument("--output", default=str(HERE / "results" / "scale" / "units.jsonl"))
    sub.choices["unit"].add_argument("--stage", choices=STAGES, required=True)
    sub.choices["unit"].add_argument("--size", type=int, choices=SIZES, required=True)
    rep = sub.add_parser("report")
    rep.add_argument("store")
    rep.add_argument("--figure", default=None)
    args = parser.parse_args()
    if args.command == "run":
        run(args)
    elif args.command == "unit":
        print(json.dumps(run_stage(args.stage, args.size, pathlib.Path(args.root), args)))
    else:
        report(args)


if __name__ == "__main__":
    main()
