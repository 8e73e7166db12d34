"""Benchmark: the Yi & Mak DNN classifier's training rate against this machine's matmul rate, one run.

Data of the size of one EmoDB IS11 training fold with k = 10 augmented sets (5346 × 4368 random
inputs, 7 classes), batch 32, as in the augmentation harness. Measures in one process:

- the dense-matmul rate: a square float32 matmul (``--matmul-size``) by TensorFlow, same threads;
- the rate of the first layer's step matmuls at the classifier's shape (forward ``32×4368 @ 4368×100``
  and weight gradient ``4368×32 @ 32×100``, in one XLA loop): the ceiling for batch-32 steps;
- as a profile, the compiled engine with plain SGD instead of Adam (Adam's elementwise share);
- seconds per epoch of ``DnnClassifier(engine="keras")`` (``Model.fit``) and of the default
  ``engine="compiled"``: the median over ``E`` epochs after the first (tracing, XLA compilation).

All of it ``--rounds`` times, interleaved (the machine is shared); the table shows each quantity's
best round.

FLOPs per sample: :func:`flops.dnn_flops_per_sample` (``4·P₁ + 6·(P - P₁)``, Adam not counted); the table
also gives the ``6·P`` convention.

Run: nice -n 10 python benchmarks/bench_dnn_classifier.py [--epochs 5] [--rounds 3] [--svm]
"""

import argparse
import os
import time

import numpy as np
from flops import DNN_HIDDEN, dnn_flops_per_sample, matmul_rate

N, D, HIDDEN, CLASSES, BATCH = 5346, 4368, DNN_HIDDEN, 7, 32


def step_matmul_rate(steps: int = 2000, repeats: int = 3) -> float:
    """Best FLOP/s of the first layer's forward and weight-gradient matmuls at batch 32, in one XLA loop."""
    import tensorflow as tf

    x = tf.random.normal((BATCH, D))
    w0 = tf.random.normal((D, HIDDEN[0])) * 0.01

    @tf.function(jit_compile=True)
    def loop(x, w):
        for _ in tf.range(steps):
            h = tf.matmul(x, w)  # forward
            w = w - 1e-6 * tf.matmul(x, h, transpose_a=True)  # weight gradient (as if dL/dh = h)
        return w

    loop(x, w0).numpy()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        loop(x, w0).numpy()
        best = min(best, time.perf_counter() - start)
    return steps * 2 * (2 * BATCH * D * HIDDEN[0]) / best


def timed(orders):
    """Yield ``orders`` and record the seconds between successive epochs (one epoch runs per item)."""
    stamps = []
    for order in orders:
        stamps.append(time.perf_counter())
        yield order
    stamps.append(time.perf_counter())
    timed.seconds = list(np.diff(stamps))


def seconds_per_epoch(engine: str, x, y, epochs: int) -> float:
    """Median seconds per epoch after the first (tracing, XLA compilation) of a default ``DnnClassifier``."""
    import keras

    from serzoo.models.classifiers import DnnClassifier, balanced_class_weights

    clf = DnnClassifier(epochs=epochs + 1, engine=engine)
    if engine == "keras":  # DnnClassifier.fit(engine="keras") with a per-epoch timer
        ends = []
        timer = keras.callbacks.LambdaCallback(on_epoch_end=lambda *_: ends.append(time.perf_counter()))
        clf.build_model(D, CLASSES).fit(
            x,
            y,
            epochs=epochs + 1,
            batch_size=BATCH,
            verbose=0,
            callbacks=[timer],
            class_weight=balanced_class_weights(y, CLASSES),
        )
        return float(np.median(np.diff(ends)))
    orders = clf.epoch_orders
    clf.epoch_orders = lambda n: timed(orders(n))
    clf.fit(x, y, CLASSES)
    return float(np.median(timed.seconds[1:]))


def seconds_per_epoch_sgd(x, y, epochs: int) -> float:
    """The compiled engine with plain SGD instead of Adam (other updates: a profile of Adam's share only)."""
    import keras

    from serzoo.models.classifiers import DnnClassifier
    from serzoo.models.compiled_fit import CompiledTrainer

    clf = DnnClassifier(epochs=epochs + 1)
    trainer = CompiledTrainer(lambda: clf._network(D, CLASSES), lambda: keras.optimizers.SGD(1e-4), BATCH)
    trainer.fit(clf.build_model(D, CLASSES), x, y, np.ones(len(y), np.float32), timed(clf.epoch_orders(len(x))))
    return float(np.median(timed.seconds[1:]))


def svm_seconds(x, y) -> tuple[float, float]:
    """Seconds of ``LinearSvm.fit`` at this shape: the float64 Gram matrix, then libsvm on it."""
    from sklearn.svm import SVC

    start = time.perf_counter()
    x64 = np.asarray(x, np.float64)
    gram = x64 @ x64.T
    middle = time.perf_counter()
    SVC(kernel="precomputed").fit(gram, y)
    return middle - start, time.perf_counter() - middle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5, help="timed epochs per engine and round")
    parser.add_argument("--rounds", type=int, default=3, help="measurement rounds; the table shows the best")
    parser.add_argument("--matmul-size", type=int, default=2048)
    parser.add_argument("--svm", action="store_true", help="also time LinearSvm.fit once")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(N, D)).astype("float32"), rng.integers(0, CLASSES, N)
    widths = (D, *HIDDEN, CLASSES)
    flops = dnn_flops_per_sample(D, CLASSES)
    flops_6p = 6 * sum(a * b for a, b in zip(widths, widths[1:]))
    engines = {
        "keras": lambda: seconds_per_epoch("keras", x, y, args.epochs),
        "compiled": lambda: seconds_per_epoch("compiled", x, y, args.epochs),
        "compiled, SGD instead of Adam (profile only)": lambda: seconds_per_epoch_sgd(x, y, args.epochs),
    }
    peaks, step_peaks, seconds = [], [], {name: [] for name in engines}
    for round_ in range(args.rounds):
        print(f"round {round_ + 1}: {os.popen('uptime').read().strip()}")
        peaks.append(matmul_rate(args.matmul_size))
        step_peaks.append(step_matmul_rate())
        for name, run in engines.items():
            seconds[name].append(run())
        epochs = ", ".join(f"{name.split(',')[0]} {took[-1]:.3f}" for name, took in seconds.items())
        print(
            f"  matmul {peaks[-1] / 1e9:.1f} GFLOP/s, batch-32 step {step_peaks[-1] / 1e9:.1f} GFLOP/s, "
            f"s/epoch: {epochs} (SGD profile last)"
        )
    print(f"after: {os.popen('uptime').read().strip()}")
    peak, step_peak = max(peaks), max(step_peaks)
    print(f"FLOP per sample: {flops:,} counted (4·P₁ + 6·(P−P₁)); {flops_6p:,} by the 6·P convention")
    print(
        f"best matmul {args.matmul_size}² float32: {peak / 1e9:.1f} GFLOP/s; best batch-32 first-layer step "
        f"matmuls (XLA loop): {step_peak / 1e9:.1f} GFLOP/s ({step_peak / peak:.0%} of the matmul rate)\n"
    )
    print("| engine | s/epoch (best) | GFLOP/s | of matmul rate | of batch-32 step rate | GFLOP/s (6·P) | speed-up |")
    print("|---|---|---|---|---|---|---|")
    best = {name: min(t) for name, t in seconds.items()}
    for name, took in best.items():
        rate = N * flops / took
        print(
            f"| {name} | {took:.3f} | {rate / 1e9:.1f} | {rate / peak:.0%} | {rate / step_peak:.0%} "
            f"| {N * flops_6p / took / 1e9:.1f} | {best['keras'] / took:.2f}× |"
        )
    if args.svm:
        gram, libsvm = svm_seconds(x, y)
        print(f"\nLinearSvm.fit at {N} × {D}: Gram matrix {gram:.1f} s + SVC {libsvm:.1f} s")


if __name__ == "__main__":
    main()
