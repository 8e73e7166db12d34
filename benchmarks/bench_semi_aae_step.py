"""Benchmark: the semi-supervised AAE's train step (ICASSP 2019) at the paper's sizes, against same-run yardsticks.

- frame level: :func:`serzoo.models.semi_aae.build_semi_aae_frames` with its defaults (Table 2: Conv1D 128, 128,
  256, 256 with max-pool 4, then 256; crops of 512 frames x 65 ComParE LLDs), batch 128;
- utterance level: :func:`serzoo.models.semi_aae.build_semi_aae` with its defaults (2 x 256 MLP, 100-D style) on
  IS13 ComParE functionals (6373), batch 128;

both as the experiment's optimised ``aae`` (all three phases, four Adam optimizers, discriminators at 0.1 x;
:func:`serzoo.experiments.semi_aae.build_model`), 7 classes, XLA on (the frame level also without XLA, the
experiment's default). Yardsticks measured in the same process:

- the dense-matmul rate (:func:`flops.matmul_rate`, a 2048² float32 matmul);
- a Conv1D reference: the first encoder layer's forward and kernel-gradient convolutions (128 x 512 x 65 → 128
  filters, kernel 4, "same"), with and without XLA; each frame-level step is compared with the reference compiled
  the same way.

FLOPs per sample: :func:`flops.train_step_flop_parts` of the traced step / 128 (matmuls and convolutions; batch
norm, pooling, elementwise work and Adam not counted). Hand count of the frame level's convolutions: encoder
forward 64.5 M (34.1 of it the first layer), decoder forward 156.9 M; phase (1) runs both forward, their kernel
gradients and every input gradient but the first layer's (630 M), (2a) the encoder forward (64.5 M), (2b) and
(3) the encoder forward and backward (159 M each): 1013 M, the counter's 1012.9 M.

Rate: samples/s of one epoch of ``Model.fit`` over ``--frame-samples`` / ``--utterance-samples`` random examples,
after one compiling epoch. Everything ``--rounds`` times, interleaved (the machine is shared); the table shows
each quantity's best round.

Run: nice -n 19 python benchmarks/bench_semi_aae_step.py [--rounds 3]
"""

import argparse
import os
import time

import numpy as np
from flops import matmul_rate, train_step_flop_parts

BATCH, CROP, LLDS, FUNCTIONALS, CLASSES = 128, 512, 65, 6373, 7
KERNEL, FIRST_FILTERS = 4, 128  # build_semi_aae_frames' first layer


def conv1d_rate(steps: int = 5, repeats: int = 2, jit_compile: bool = True) -> float:
    """Best FLOP/s of the first encoder layer's forward and kernel-gradient Conv1D at batch 128: one compiled
    step on a variable (XLA or TensorFlow's own kernels), called ``steps`` times. (The same two convolutions
    inside one XLA ``tf.range`` loop, the kernel gradient taken with ``output_gradients``, ran at 0.4 GFLOP/s:
    XLA's CPU backend missed its fast convolution path there.)"""
    import tensorflow as tf

    x = tf.random.normal((BATCH, CROP, LLDS))
    w = tf.Variable(tf.random.normal((KERNEL, LLDS, FIRST_FILTERS)) * 0.01)

    @tf.function(jit_compile=jit_compile)
    def step(x):
        with tf.GradientTape() as tape:
            y = tf.nn.conv1d(x, w, 1, "SAME")  # forward
            loss = tf.reduce_sum(y * y)
        w.assign_sub(1e-9 * tape.gradient(loss, w))  # kernel gradient (the first layer needs no input gradient)
        return loss

    step(x).numpy()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            step(x).numpy()
        best = min(best, time.perf_counter() - start)
    return steps * 2 * (2 * BATCH * CROP * KERNEL * LLDS * FIRST_FILTERS) / best


class Step:
    """One compiled model of a level, its random data and its counted FLOPs per sample."""

    def __init__(self, level: str, samples: int, jit_compile: bool = True):
        import tensorflow as tf

        from serzoo.experiments.semi_aae import build_model

        rng = np.random.default_rng(0)
        shape = (CROP, LLDS) if level == "frames" else (FUNCTIONALS,)
        self.x = rng.normal(size=(samples, *shape)).astype("float32")
        self.y = (np.arange(samples) % CLASSES).astype("int32")
        self.model = build_model(
            "aae",
            level,
            shape[-1],
            CLASSES,
            seed=0,
            epochs=1,
            batch_size=BATCH,
            learning_rate=1e-4,
            jit_compile=jit_compile,
        )
        start = time.perf_counter()
        self.model.fit(self.x, self.y, batch_size=BATCH, epochs=1, verbose=0)  # tracing, XLA compilation
        self.compile_seconds = time.perf_counter() - start
        spec = (tf.TensorSpec([BATCH, *shape], tf.float32), tf.TensorSpec([BATCH], tf.int32))
        self.parts = {k: v / BATCH for k, v in train_step_flop_parts(self.model, spec).items()}
        self.flops = sum(self.parts.values())

    def rate(self) -> float:
        """Samples/s of one epoch of ``Model.fit``."""
        start = time.perf_counter()
        self.model.fit(self.x, self.y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
        return len(self.x) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="measurement rounds; the table shows the best")
    parser.add_argument("--frame-samples", type=int, default=512, help="crops per timed frame-level epoch")
    parser.add_argument("--utterance-samples", type=int, default=4096, help="vectors per timed utterance epoch")
    parser.add_argument("--repeats", type=int, default=2, help="timed calls of each yardstick per round")
    args = parser.parse_args()
    print(f"start: {os.popen('uptime').read().strip()}")
    steps = {
        "frames (Conv1D, 512 x 65), XLA": Step("frames", args.frame_samples),
        "frames (Conv1D, 512 x 65), no XLA": Step("frames", args.frame_samples, jit_compile=False),
        "utterance (MLP, 6373), XLA": Step("utterance", args.utterance_samples),
    }
    reference = {"frames (Conv1D, 512 x 65), XLA": "XLA", "frames (Conv1D, 512 x 65), no XLA": "no XLA"}
    for name, step in steps.items():
        parts = ", ".join(f"{k} {v / 1e6:.1f}" for k, v in step.parts.items())
        print(
            f"{name}: compiled in {step.compile_seconds:.0f} s; MFLOP per sample {step.flops / 1e6:.1f} ({parts})",
            flush=True,
        )
    matmul, conv, rates = [], {"XLA": [], "no XLA": []}, {name: [] for name in steps}
    for round_ in range(args.rounds):
        print(f"round {round_ + 1}: {os.popen('uptime').read().strip()}", flush=True)
        start = time.perf_counter()
        matmul.append(matmul_rate(repeats=args.repeats))
        for compiled, values in conv.items():
            values.append(conv1d_rate(repeats=args.repeats, jit_compile=compiled == "XLA"))
        for name, step in steps.items():
            rates[name].append(step.rate())
        print(f"  ({time.perf_counter() - start:.0f} s)", flush=True)
        print(
            f"  matmul {matmul[-1] / 1e9:.1f} GFLOP/s, Conv1D reference "
            + ", ".join(f"{compiled} {values[-1] / 1e9:.1f}" for compiled, values in conv.items())
            + " GFLOP/s, samples/s: "
            + ", ".join(f"{name} {r[-1]:.1f}" for name, r in rates.items()),
            flush=True,
        )
    print(f"after: {os.popen('uptime').read().strip()}")
    peak, conv_peak = max(matmul), {compiled: max(values) for compiled, values in conv.items()}
    print(
        f"\nbest matmul 2048² float32: {peak / 1e9:.1f} GFLOP/s; best Conv1D reference (first layer, forward + "
        "kernel gradient): "
        + ", ".join(
            f"{compiled} {rate / 1e9:.1f} GFLOP/s ({rate / peak:.0%} of matmul)" for compiled, rate in conv_peak.items()
        )
        + "\n"
    )
    print("| step (batch 128) | MFLOP/sample | samples/s | GFLOP/s | of matmul rate | of Conv1D reference |")
    print("|---|---|---|---|---|---|")
    for name, step in steps.items():
        best = max(rates[name])
        achieved = best * step.flops
        of_conv = f"{achieved / conv_peak[reference[name]]:.0%}" if name in reference else "–"
        print(
            f"| {name} | {step.flops / 1e6:.1f} | {best:.1f} | {achieved / 1e9:.1f} | {achieved / peak:.0%} "
            f"| {of_conv} |"
        )


if __name__ == "__main__":
    main()
