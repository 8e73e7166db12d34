"""Benchmark: generation throughput (samples/s) of an exported SavedModel vs the Keras scheme.

Trains a small ADAN briefly on random 4368-D data (throughput does not depend on training), exports it,
then times ``generate`` of the reloaded SavedModel and ``ADAN.generate`` in the same run.
Run: python benchmarks/bench_generation.py
"""

import tempfile
import time

import numpy as np


def rate(fn, n, repeats=5):
    fn(n)  # warm-up (tracing)
    start = time.perf_counter()
    for _ in range(repeats):
        fn(n)
    return n * repeats / (time.perf_counter() - start)


def main() -> None:
    import tensorflow as tf

    from serzoo.data import Normalizer
    from serzoo.export import export_generator
    from serzoo.models.adan import build_adan

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(256, 4368)).astype("float32"), (np.arange(256) % 7).astype("int32")
    scheme = build_adan(4368, 7, seed=0)
    scheme.compile()
    scheme.fit(x, y, batch_size=128, epochs=1, verbose=0)
    with tempfile.TemporaryDirectory() as tmp:
        path = export_generator(
            scheme,
            Normalizer("global").fit(x),
            f"{tmp}/adan/1",
            manifest={"class_names": list("abcdefg"), "dataset": "random", "feature_set": "is11"},
        )
        loaded = tf.saved_model.load(str(path))
        print("| batch | SavedModel samples/s | Keras ADAN.generate samples/s | ratio |")
        print("|---|---|---|---|")
        for n in (1, 100, 10000):
            saved = rate(
                lambda n: loaded.generate(
                    labels=tf.constant(np.arange(n) % 7, tf.int32), seed=tf.constant(1, tf.int64)
                ),
                n,
            )
            keras_rate = rate(lambda n: scheme.generate(np.arange(n) % 7, seed=1), n)
            print(f"| {n} | {saved:,.0f} | {keras_rate:,.0f} | {saved / keras_rate:.2f} |")


if __name__ == "__main__":
    main()
