"""Benchmark: the cost of a domain-adversarial fit against its supervised twin, one run.

Random data of the size of an unseen-corpus pair: 480 labelled rows (an EmoDB training fold), 1440 unlabelled
target rows (RAVDESS's size), 4368 features (IS11), 6 classes (shared6). Seconds per whole fit (build, trace or XLA
compile, training) of:

- ``DnnClassifier`` (compiled engine; its trace is cached across fits, so only the first fit pays it),
- ``DannClassifier(adversarial_weight=0)`` (the twin) and ``DannClassifier()`` (λ ramping to 1), with XLA and
  without (``jit_compile``); for these also the first epoch (tracing or compiling included) and the median epoch
  after it.

Both make ``epochs x ⌈480 / 32⌉`` updates of the emotion classifier. All of it ``--rounds`` times, interleaved (the
machine is shared); the table shows each method's best and worst round and the ratio of the best fit to the DNN's.

Run: nice -n 15 python benchmarks/bench_dann.py [--epochs 100] [--rounds 2]
"""

import argparse
import os
import time

import numpy as np

N_LABELLED, N_UNLABELLED, D, CLASSES = 480, 1440, 4368, 6


def timed_dann(x, y, x_target, epochs: int, **options) -> dict:
    """Seconds of one ``DannClassifier`` fit: whole, first epoch, median later epoch."""
    import keras

    from serzoo.models.domain_adversarial import DannClassifier

    stamps = [time.perf_counter()]
    clock = keras.callbacks.LambdaCallback(on_epoch_end=lambda *_: stamps.append(time.perf_counter()))
    DannClassifier(epochs=epochs, callbacks=(clock,), **options).fit(x, y, CLASSES, x_unlabelled=x_target)
    return {
        "fit": stamps[-1] - stamps[0],
        "first": stamps[1] - stamps[0],
        "epoch": float(np.median(np.diff(stamps[1:]))),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from serzoo.models.classifiers import DnnClassifier

    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, (N_LABELLED, D)).astype(np.float32)
    y = rng.integers(0, CLASSES, N_LABELLED)
    x_target = rng.normal(0.5, 1, (N_UNLABELLED, D)).astype(np.float32)

    def dnn():
        start = time.perf_counter()
        DnnClassifier(epochs=args.epochs).fit(x, y, CLASSES)
        return {"fit": time.perf_counter() - start}

    methods = {
        "DnnClassifier (compiled engine)": dnn,
        **{
            f"DannClassifier(adversarial_weight={w}), XLA {'on' if jit else 'off'}": (
                lambda w=w, jit=jit: timed_dann(x, y, x_target, args.epochs, adversarial_weight=w, jit_compile=jit)
            )
            for w in (0.0, 1.0)
            for jit in (False, True)
        },
    }
    rounds = {name: [] for name in methods}
    for _ in range(args.rounds):
        for name, run in methods.items():
            rounds[name].append(run())
    best_dnn = min(r["fit"] for r in rounds["DnnClassifier (compiled engine)"])
    print(f"{args.epochs} epochs = {args.epochs * -(-N_LABELLED // 32)} classifier updates; {args.rounds} rounds\n")
    print("| method | s per fit (best) | worst | best / DNN's best | first epoch (best) | later epoch (median, best) |")
    print("|---|---|---|---|---|---|")
    for name, runs in rounds.items():
        fits = [r["fit"] for r in runs]
        first = f"{min(r['first'] for r in runs):.1f}" if "first" in runs[0] else "-"
        epoch = f"{min(r['epoch'] for r in runs):.2f}" if "epoch" in runs[0] else "-"
        print(f"| {name} | {min(fits):.1f} | {max(fits):.1f} | {min(fits) / best_dnn:.2f} | {first} | {epoch} |")


if __name__ == "__main__":
    main()
