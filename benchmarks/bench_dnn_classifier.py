"""Benchmark: the Yi & Mak DNN classifier's training rate against this machine's matmul rate, one run.

Data of the size of one EmoDB IS11 training fold with k = 10 augmented sets (5346 × 4368 random
inputs, 7 classes), batch 32, as in the augmentation harness. Measures in one process:

- the dense-matmul rate: a square float32 matmul (``--matmul-size``) by TensorFlow, same threads;
- the rate of the first layer's step matmuls at the classifier's shape (forward ``32×4368 @ 4368×100``
  and weight gradient ``4368×32 @ 32×100``, in one XLA loop): the ceiling for batch-32 steps;
- seconds per epoch of ``DnnClassifier(engine="keras")`` (``Model.fit``) and of the default
  ``engine="compiled"``: ``(time of E+1 epochs - time of 1 epoch) / E`` after a warm-up fit, so tracing
  and XLA compilation are excluded.

FLOPs counted per sample (multiply-add = 2): forward ``2·P``, weight gradients ``2·P``, input
gradients ``2·(P - P₁)`` (none for the first layer, whose input is data), with ``P`` the dense
layers' weights and ``P₁`` the first layer's: ``4·P₁ + 6·(P - P₁)``. Adam's elementwise update is
not counted. The table also gives the ``6·P`` convention.

Run: nice -n 10 python benchmarks/bench_dnn_classifier.py [--epochs 3]
"""

import argparse
import os
import time

import numpy as np

N, D, HIDDEN, CLASSES, BATCH = 5346, 4368, (100, 100), 7, 32


def matmul_rate(size: int, repeats: int = 5) -> float:
    """Best FLOP/s of a ``size``² float32 matmul (10 products per timed call)."""
    import tensorflow as tf

    a = tf.random.normal((size, size))

    @tf.function
    def product_chain(a):
        b = a
        for _ in range(10):
            b = tf.matmul(a, b) * (1.0 / size)
        return b

    product_chain(a).numpy()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        product_chain(a).numpy()
        best = min(best, time.perf_counter() - start)
    return 10 * 2 * size**3 / best


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


def seconds_per_epoch(engine: str, x, y, epochs: int) -> float:
    from serzoo.models.classifiers import DnnClassifier

    took = []
    for e in (1, 1, epochs + 1):  # the first fit pays the compiled engine's one-off trace and XLA compile
        start = time.perf_counter()
        DnnClassifier(epochs=e, engine=engine).fit(x, y, CLASSES)
        took.append(time.perf_counter() - start)
    return (took[2] - took[1]) / epochs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs per engine")
    parser.add_argument("--matmul-size", type=int, default=2048)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(N, D)).astype("float32"), rng.integers(0, CLASSES, N)
    print(f"uptime before: {os.popen('uptime').read().strip()}")
    widths = (D, *HIDDEN, CLASSES)
    params = [a * b for a, b in zip(widths, widths[1:])]
    flops = 4 * params[0] + 6 * sum(params[1:])
    flops_6p = 6 * sum(params)
    peak = matmul_rate(args.matmul_size)
    step_peak = step_matmul_rate()
    rates = {engine: seconds_per_epoch(engine, x, y, args.epochs) for engine in ("keras", "compiled")}
    peak_after = matmul_rate(args.matmul_size)
    print(f"uptime after: {os.popen('uptime').read().strip()}")
    print(f"FLOP per sample: {flops:,} counted (4·P₁ + 6·(P−P₁)); {flops_6p:,} by the 6·P convention")
    print(f"matmul {args.matmul_size}² float32: {peak / 1e9:.1f} GFLOP/s before, {peak_after / 1e9:.1f} after")
    print(f"batch-32 first-layer step matmuls (XLA loop): {step_peak / 1e9:.1f} GFLOP/s "
          f"({step_peak / peak:.0%} of the matmul rate)\n")
    print("| engine | s/epoch | GFLOP/s | of matmul rate | of batch-32 step rate | GFLOP/s (6·P) | speed-up |")
    print("|---|---|---|---|---|---|---|")
    for engine, seconds in rates.items():
        rate = N * flops / seconds
        print(f"| {engine} | {seconds:.3f} | {rate / 1e9:.1f} | {rate / peak:.0%} | {rate / step_peak:.0%} "
              f"| {N * flops_6p / seconds / 1e9:.1f} | {rates['keras'] / seconds:.2f}× |")


if __name__ == "__main__":
    main()
