"""Benchmark: one 2-thread process against two 1-thread processes on the reproduction's work units.

Each unit is what one fold × method of ``serzoo reproduce`` spends its time on, at reduced length:
a WADAN fit (486 × 4368, batch 128, XLA), a per-class GAN fit (70 samples, one batch per epoch)
and a DNN classifier fit on real + 10 synthetic sets (5346 × 4368). "one process" runs two units
one after the other with 2 TensorFlow threads; "two processes" run the same two units at once,
1 thread each (``serzoo reproduce --threads 1 --held-out ...``). The ratio is the wall-time speed-up.

Run on an otherwise idle machine: python benchmarks/bench_threads.py
"""

import subprocess
import sys
import time

UNIT = r"""
import sys
import numpy as np
from serzoo.experiments.workers import set_tensorflow_threads
set_tensorflow_threads(int(sys.argv[1]))
from serzoo.augmenters import make_augmenter
from serzoo.models.classifiers import DnnClassifier
rng = np.random.default_rng(0)
x, y = rng.normal(size=(486, 4368)).astype("float32"), np.arange(486) % 7
work = {
    "wadan": lambda: make_augmenter("wadan", epochs=30).fit(x, y, 7),
    "gan": lambda: make_augmenter("gan", epochs=30).fit(x[:70], np.zeros(70, int), 1),
    "dnn": lambda: DnnClassifier(epochs=5).fit(np.tile(x, (11, 1)), np.tile(y, 11), 7),
}[sys.argv[2]]
for _ in range(int(sys.argv[3])):
    work()
"""


def wall(commands) -> float:
    start = time.perf_counter()
    for process in [subprocess.Popen(c) for c in commands]:
        if process.wait():
            raise RuntimeError(f"benchmark unit failed: {process.args}")
    return time.perf_counter() - start


def main() -> None:
    python = [sys.executable, "-c", UNIT]
    print("| unit | one process, 2 threads, 2 units (s) | two processes, 1 thread, 1 unit each (s) | speed-up |")
    print("|---|---|---|---|")
    for unit in ("wadan", "gan", "dnn"):
        one = wall([python + ["2", unit, "2"]])
        two = wall([python + ["1", unit, "1"], python + ["1", unit, "1"]])
        print(f"| {unit} | {one:.1f} | {two:.1f} | {one / two:.2f}× |")


if __name__ == "__main__":
    main()
