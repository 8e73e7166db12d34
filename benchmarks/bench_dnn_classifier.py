"""Benchmark: seconds per epoch of the Yi & Mak DNN classifier with one vs many steps per compiled call.

Data of the size of one EmoDB IS11 training fold with k = 10 augmented sets (5346 × 4368), batch 32,
as in the augmentation harness. Run: python benchmarks/bench_dnn_classifier.py
"""

import time

import numpy as np


def seconds_per_epoch(x, y, steps_per_execution: int, jit_compile: bool, epochs: int = 3) -> float:
    import keras

    from serzoo.networks import mlp

    keras.utils.set_random_seed(0)
    model = mlp(x.shape[1], (100, 100), output_dim=7, output_activation="softmax", l2=1e-3, name="dnn")
    model.compile(optimizer=keras.optimizers.Adam(1e-4), loss="sparse_categorical_crossentropy",
                  steps_per_execution=steps_per_execution, jit_compile=jit_compile)
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)  # tracing
    start = time.perf_counter()
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    return (time.perf_counter() - start) / epochs


def main() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(5346, 4368)).astype("float32"), rng.integers(0, 7, 5346)
    base = seconds_per_epoch(x, y, 1, False)
    print("| steps_per_execution | jit_compile | s/epoch | speed-up |\n|---|---|---|---|")
    print(f"| 1 | False | {base:.3f} | 1.00× |")
    for spe, jit in ((32, False), (32, True)):
        took = seconds_per_epoch(x, y, spe, jit)
        print(f"| {spe} | {jit} | {took:.3f} | {base / took:.2f}× |")


if __name__ == "__main__":
    main()
