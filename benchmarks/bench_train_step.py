"""Benchmark: ADAN / WADAN train-step throughput on EmoDB-sized IS11 data, as a fraction of this
machine's dense-matmul throughput measured in the same run.

FLOPs per sample of one Algorithm-1 step: the MatMul FLOPs of the traced train step
(:func:`flops.train_step_flops`; the hand count, about 9 passes of 4.2 M multiply-adds through E/R
with C, G and D under 1 %, gives 75.6 M, the profiler 78.3 M for WADAN).
Run: python benchmarks/bench_train_step.py [--epochs 5]
"""

import argparse
import time

import numpy as np
from flops import matmul_rate, train_step_flops


def main() -> None:
    import keras
    import tensorflow as tf

    from serzoo.models.adan import build_adan

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    n, dim = 480, 4368  # one EmoDB training fold, IS11
    x, y = rng.normal(size=(n, dim)).astype("float32"), (np.arange(n) % 7).astype("int32")
    peak = matmul_rate() / 1e9
    print(f"dense matmul (2048², float32): {peak:.1f} GFLOP/s\n")
    print("| scheme | jit_compile | s/epoch (480 samples, batch 128) | samples/s | GFLOP/s | fraction of matmul |")
    print("|---|---|---|---|---|---|")
    for divergence, name in (("js", "ADAN"), ("wasserstein", "WADAN")):
        for jit in (False, True):
            keras.utils.set_random_seed(0)
            model = build_adan(dim, 7, divergence=divergence, seed=0)
            model.compile(jit_compile=jit)
            model.fit(x, y, batch_size=128, epochs=1, verbose=0)  # tracing / XLA compile
            flops_per_sample = train_step_flops(model, (tf.TensorSpec([128, dim]), tf.TensorSpec([128], "int32"))) / 128
            start = time.perf_counter()
            model.fit(x, y, batch_size=128, epochs=args.epochs, verbose=0)
            per_epoch = (time.perf_counter() - start) / args.epochs
            rate = n / per_epoch
            gflops = rate * flops_per_sample / 1e9
            print(f"| {name} | {jit} | {per_epoch:.3f} | {rate:.0f} | {gflops:.1f} | {gflops / peak:.2f} |")


if __name__ == "__main__":
    main()
