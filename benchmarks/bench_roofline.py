"""Benchmark: the batch-32 generator train steps against their roofline, all measured in one run on one thread.

For each scheme (the Yi & Mak fast schedule: batch 32, Adam; EmoDB-sized IS11 data, 480 x 4368), one process:

- the matmul rate (``flops.matmul_rate``, 1 thread) and a STREAM-like bandwidth: numpy ``copyto`` (read + write)
  and triad ``a = b + s·c`` (2 reads + 1 write) on one core, best of several passes, at sizes from inside the caches
  to far beyond them, including the step's working set (weights + gradients + Adam slots of the players it
  updates);
- the FLOPs of one traced train step (``flops.train_step_flop_parts``) and the bytes it must move: every MatMul's
  operands and result once (forward, input and weight gradients; weights and gradient writes included), plus each
  Adam update's 7 float32 streams per parameter (read gradient, m, v, weight; write m, v, weight);
- the step's time three ways: ``Model.fit`` as the harness runs it (``jit_compile`` on, the NanGuard callback),
  the compiled ``train_step`` called in a Python loop, and ``steps_per_execution`` = one epoch per call;
- roofline time ``max(FLOPs / matmul rate, bytes / bandwidth)`` and the fraction ``roofline / step time``.

Run: python benchmarks/bench_roofline.py [--schemes wadan,adan,aae] [--epochs 5] [--steps-per-execution 15]
"""

import argparse
import json
import os
import time

import numpy as np

N, DIM, CLASSES, BATCH = 480, 4368, 7, 32  # one EmoDB training fold, IS11; the fast schedule's batch
MB = 1e6
#: every duration is CPU seconds of this process (one thread): on a machine shared with other jobs, wall seconds
#: measure the others' load as much as the step (``--wall`` switches back)
CLOCK = time.process_time


def stream_bandwidth(nbytes: int, repeats: int = 7) -> dict:
    """Best GB/s of numpy copy (2 streams) and triad (3 streams) over float32 arrays of ``nbytes`` each."""
    n = max(1024, nbytes // 4)
    a, b, c = (np.full(n, v, np.float32) for v in (1.0, 2.0, 3.0))
    passes = max(1, int(2e9 // (3 * n * 4)))  # about 2 GB of traffic per timed repeat (small arrays: many passes)
    best = {"copy": float("inf"), "triad": float("inf")}
    for _ in range(repeats):
        start = CLOCK()
        for _ in range(passes):
            np.copyto(a, b)
        best["copy"] = min(best["copy"], (CLOCK() - start) / passes)
        start = CLOCK()
        for _ in range(passes):
            np.multiply(c, 3.0, out=a)
            np.add(a, b, out=a)  # numpy's triad: two passes over a (4 streams), counted as such
        best["triad"] = min(best["triad"], (CLOCK() - start) / passes)
    return {"bytes": n * 4, "copy_gbs": 2 * n * 4 / best["copy"] / 1e9, "triad_gbs": 5 * n * 4 / best["triad"] / 1e9}


def step_bytes(model, spec) -> dict:
    """Bytes one ``train_step`` must move: MatMul operands + results once each, and Adam's 7 streams/parameter."""
    import tensorflow as tf
    from flops import _live_ops

    graph = tf.function(model.train_step).get_concrete_function(spec).graph
    live = _live_ops(graph)
    matmul = 0
    for op in graph.get_operations():
        if op.type in ("MatMul", "BatchMatMulV2") and op.name in live:
            matmul += 4 * sum(int(np.prod(t.shape.as_list())) for t in (*op.inputs, op.outputs[0]))
    params = {p: sum(int(np.prod(v.shape)) for v in model._player_variables(p)) for p in model.PLAYERS}
    return {"matmul": matmul, "adam": 7 * 4 * sum(params.values()), "params": params}


def _model(scheme: str, steps_per_execution: int = 1):
    import keras

    from serzoo.models import get_scheme
    from serzoo.schedules import training_for

    keras.utils.set_random_seed(0)
    training = training_for(scheme)
    model = get_scheme(scheme).build(DIM, CLASSES, seed=0, class_weights=[1.0] * CLASSES)
    model.compile(
        jit_compile=True,
        steps_per_execution=steps_per_execution,
        **training.optimizers(scheme, model.PLAYERS, model.steps_per_epoch(np.zeros((N, DIM)), None, BATCH)),
    )
    return model


def time_fit(scheme, x, y, epochs: int, steps_per_execution: int = 1) -> float:
    """Seconds per step of ``Model.fit`` (after a one-epoch warm-up that traces and compiles)."""
    model = _model(scheme, steps_per_execution)
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    start = CLOCK()
    model.fit(x, y, batch_size=BATCH, epochs=epochs, verbose=0)
    return (CLOCK() - start) / (epochs * (N // BATCH))


def time_loop(scheme, x, y, steps: int) -> tuple[float, object]:
    """Seconds per call of the XLA-compiled ``train_step`` on a batch held as a tensor (no Keras loop)."""
    import tensorflow as tf

    model = _model(scheme)
    model.fit(x[:BATCH], y[:BATCH], batch_size=BATCH, epochs=1, verbose=0)  # builds the optimizers
    step = tf.function(model.train_step, jit_compile=True)
    batch = (tf.constant(x[:BATCH]), tf.constant(y[:BATCH]))
    for _ in range(3):
        step(batch)
    start = CLOCK()
    for _ in range(steps):
        out = step(batch)
    float(next(iter(out.values())))
    return (CLOCK() - start) / steps, model


def time_adam(model, steps: int) -> float:
    """Seconds per call of every player's Adam update alone (XLA-compiled, on fixed small gradients)."""
    import tensorflow as tf

    players = {p: model._player_variables(p) for p in model.PLAYERS}
    grads = {p: [tf.fill(v.shape, 1e-6) for v in variables] for p, variables in players.items()}

    @tf.function(jit_compile=True)
    def updates():
        for p, variables in players.items():
            getattr(model, f"{p}_optimizer").apply_gradients(zip(grads[p], variables))
        return tf.constant(0.0)

    for _ in range(3):
        updates()
    start = CLOCK()
    for _ in range(steps):
        updates().numpy()
    return (CLOCK() - start) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schemes", default="wadan,adan,aae")
    parser.add_argument("--epochs", type=int, default=5, help="timed epochs of Model.fit (15 steps each)")
    parser.add_argument("--steps-per-execution", type=int, default=N // BATCH)
    parser.add_argument("--output", default=None, help="append the JSON result here")
    parser.add_argument("--repeats", type=int, default=3, help="alternated Model.fit timings of each kind")
    parser.add_argument("--wall", action="store_true", help="time wall seconds instead of CPU seconds")
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.perf_counter if args.wall else time.process_time
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    from flops import matmul_rate, train_step_flop_parts

    from serzoo.quiet import import_tensorflow_quietly

    import_tensorflow_quietly()
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(N, DIM)).astype("float32"), (np.arange(N) % CLASSES).astype("int32")
    load = os.getloadavg()[0]
    peak = matmul_rate(clock=CLOCK)
    clock = "wall" if args.wall else "CPU"
    print(f"load average {load:.2f}; {clock} seconds; matmul 2048² float32, 1 thread: {peak / 1e9:.1f} GFLOP/s")
    spec = (tf.TensorSpec([BATCH, DIM]), tf.TensorSpec([BATCH], "int32"))
    rows = []
    for scheme in args.schemes.split(","):
        loop_s, model = time_loop(scheme, x, y, steps=5 * (N // BATCH))
        adam_s = time_adam(model, steps=5 * (N // BATCH))
        flop = sum(train_step_flop_parts(model, spec).values())
        moved = step_bytes(model, spec)
        working_set = 4 * 4 * sum(moved["params"].values())  # weight, gradient, m, v
        sizes = {"L2-sized (256 KB)": 256_000, "17.5 MB (4368 × 1000)": 17_472_000, "working set": working_set}
        sizes["far beyond (800 MB)"] = 800_000_000
        bandwidth = {name: stream_bandwidth(size) for name, size in sizes.items()}
        fit_runs, spe_runs = [], []
        for _ in range(args.repeats):  # alternated, so that a change of the others' load hits both alike
            fit_runs.append(time_fit(scheme, x, y, args.epochs))
            spe_runs.append(time_fit(scheme, x, y, args.epochs, args.steps_per_execution))
        fit_s, spe_s = min(fit_runs), min(spe_runs)
        bw = bandwidth["working set"]["copy_gbs"] * 1e9
        total_bytes = moved["matmul"] + moved["adam"]
        roofline = max(flop / peak, total_bytes / bw)
        row = {
            "scheme": scheme,
            "load_average": load,
            "matmul_gflops": peak / 1e9,
            "bandwidth": bandwidth,
            "step_gflop": flop / 1e9,
            "step_mb": {"matmul": moved["matmul"] / MB, "adam": moved["adam"] / MB, "total": total_bytes / MB},
            "params": moved["params"],
            "working_set_mb": working_set / MB,
            "compute_bound_ms": 1e3 * flop / peak,
            "memory_bound_ms": 1e3 * total_bytes / bw,
            "roofline_ms": 1e3 * roofline,
            "step_ms": {"fit": 1e3 * fit_s, "compiled_loop": 1e3 * loop_s, "steps_per_execution": 1e3 * spe_s},
            "step_ms_runs": {"fit": [1e3 * t for t in fit_runs], "steps_per_execution": [1e3 * t for t in spe_runs]},
            "adam_ms": 1e3 * adam_s,
            "adam_bound_ms": 1e3 * moved["adam"] / bw,
            "matmul_part_ms": 1e3 * (loop_s - adam_s),
            "matmul_part_bound_ms": 1e3 * max(flop / peak, moved["matmul"] / bw),
            "fraction": {
                "fit": roofline / fit_s,
                "compiled_loop": roofline / loop_s,
                "steps_per_execution": roofline / spe_s,
            },
            "load_average_end": os.getloadavg()[0],
            "clock": clock,
        }
        rows.append(row)
        print(json.dumps(row))
        if args.output:
            with open(args.output, "a", encoding="utf-8") as stream:
                stream.write(json.dumps(row) + "\n")
    print_table(rows)


def print_table(rows) -> None:
    print("\n| scheme | Adam alone ms (bound) | rest of the step ms (bound) |\n|---|---|---|")
    for r in rows:
        print(
            f"| {r['scheme']} | {r['adam_ms']:.1f} ({r['adam_bound_ms']:.1f}) "
            f"| {r['matmul_part_ms']:.1f} ({r['matmul_part_bound_ms']:.1f}) |"
        )
    print(
        "\n| scheme | GFLOP/step | MB/step (matmul + Adam) | working set MB | compute bound ms | memory bound ms "
        "| fit ms/step | loop ms/step | 1 call/epoch ms/step | of roofline (fit / loop / per epoch) | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        f, s = r["fraction"], r["step_ms"]
        print(
            f"| {r['scheme']} | {r['step_gflop']:.2f} | {r['step_mb']['matmul']:.0f} + {r['step_mb']['adam']:.0f} "
            f"| {r['working_set_mb']:.0f} | {r['compute_bound_ms']:.1f} | {r['memory_bound_ms']:.1f} "
            f"| {s['fit']:.1f} | {s['compiled_loop']:.1f} | {s['steps_per_execution']:.1f} "
            f"| {f['fit']:.2f} / {f['compiled_loop']:.2f} / {f['steps_per_execution']:.2f} "
            f"| {r['load_average']:.1f}–{r['load_average_end']:.1f} |"
        )


if __name__ == "__main__":
    main()
