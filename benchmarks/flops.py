"""The benchmarks' shared yardsticks: the dense-matmul reference rate and the FLOPs of each training kernel.

- :func:`matmul_rate`: best FLOP/s of a square float32 TensorFlow matmul (the machine's reference, same threads).
- :func:`dnn_flops_per_sample`: one training pass of the Yi & Mak DNN per sample (multiply-add = 2): forward
  ``2·P``, weight gradients ``2·P``, input gradients ``2·(P - P₁)`` (none for the first layer, whose input is
  data), i.e. ``4·P₁ + 6·(P - P₁)``; Adam's elementwise update is not counted.
- :func:`svm_fit_flops`: ``LinearSvm.fit``'s Gram matrix, ``2·n²·d`` (float64); libsvm's solver is not counted.
- :func:`train_step_flops`: the FLOPs of one traced ``train_step`` (forward, backward and every player's update):
  MatMul / BatchMatMul counted by TensorFlow's profiler, Einsum and convolutions counted here from the graph
  (:func:`conv_flops`); no elementwise, normalisation, pooling or optimizer work.
- :func:`scheme_flops_per_epoch`: those FLOPs for one training epoch of a registered scheme. The per-class GAN
  counts its padded rows.

As a script it prints JSON for a process that must not import TensorFlow itself (``bench_reproduce.py``):
    python benchmarks/flops.py matmul [--threads 1]
    python benchmarks/flops.py schemes --dataset emodb/is11 --manual-dir DIR --folds 2 --methods cgan,wadan
"""

import argparse
import json
import math
import time

import numpy as np

DNN_HIDDEN = (100, 100)


def matmul_rate(size: int = 2048, repeats: int = 5, clock=time.perf_counter) -> float:
    """Best FLOP/s of a ``size``² float32 matmul (10 chained products per timed call); ``clock=time.process_time``
    times the process's CPU seconds instead of wall seconds (one thread on a shared machine)."""
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
        start = clock()
        product_chain(a).numpy()
        best = min(best, clock() - start)
    return 10 * 2 * size**3 / best


def dnn_flops_per_sample(input_dim: int, n_classes: int, hidden=DNN_HIDDEN) -> int:
    widths = (input_dim, *hidden, n_classes)
    params = [a * b for a, b in zip(widths, widths[1:])]
    return 4 * params[0] + 6 * sum(params[1:])


def svm_fit_flops(n: int, d: int) -> int:
    return 2 * n * n * d


def train_step_flops(model, data_spec) -> int:
    """FLOPs of one ``model.train_step`` on tensors of ``data_spec`` (the optimizers must be built): the sum of
    :func:`train_step_flop_parts`."""
    return sum(train_step_flop_parts(model, data_spec).values())


def train_step_flop_parts(model, data_spec) -> dict:
    """``{"matmul", "einsum", "conv"}``: the FLOPs of one traced ``model.train_step`` by kind of op."""
    import tensorflow as tf

    graph = tf.function(model.train_step).get_concrete_function(data_spec).graph
    builder = tf.compat.v1.profiler.ProfileOptionBuilder
    options = builder(builder.float_operation()).with_empty_output().build()
    options["account_type_regexes"] = ["MatMul", "BatchMatMul.*"]
    matmul = int(tf.compat.v1.profiler.profile(graph=graph, options=options).total_float_ops)
    return {"matmul": matmul, "einsum": _einsum_flops(graph), "conv": conv_flops(graph)}


def _einsum_flops(graph) -> int:
    """Two-operand ``Einsum`` ops (the profiler does not count them): 2 x the product of every index's size."""
    total = 0
    for op in graph.get_operations():
        if op.type != "Einsum" or len(op.inputs) != 2:
            continue
        sizes = {}
        for letters, tensor in zip(op.get_attr("equation").decode().split("->")[0].split(","), op.inputs):
            sizes.update(zip(letters, tensor.shape.as_list()))
        total += 2 * math.prod(sizes.values())
    return total


#: The convolution ops of Keras's Conv1D (a Conv2D of height 1), its gradients and Conv1DTranspose (whose forward
#: pass is a Conv2DBackpropInput).
CONV_OPS = ("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter")


def conv_flops(graph) -> int:
    """FLOPs of the :data:`CONV_OPS` that the traced function executes.

    Each op costs ``2·|dy|·kh·kw·c_in``, where ``dy`` is the side of the convolution with ``c_out`` channels
    (``[N, H_out, W_out, c_out]``: the forward output, the backprop ops' ``out_backprop``) and the kernel is
    ``[kh, kw, c_in, c_out]``; a 1-D layer's forward pass, input gradient and kernel gradient thus each cost
    ``2·out_len·k·c_in·c_out`` per example. Not the profiler's count: it includes the input gradient of a
    network's first convolution, which TensorFlow's Conv2D gradient builds (unlike MatMul's, it does not skip
    unneeded inputs) and the runtime prunes; here only ops that feed the function's outputs or a stateful op
    (a variable update) count.
    """
    live = _live_ops(graph)
    total = 0
    for op in graph.get_operations():
        if op.type not in CONV_OPS or op.name not in live:
            continue
        dy = op.outputs[0] if op.type == "Conv2D" else op.inputs[2]
        kernel = op.outputs[0] if op.type == "Conv2DBackpropFilter" else op.inputs[1]
        kh, kw, c_in, _ = kernel.shape.as_list()
        total += 2 * math.prod(dy.shape.as_list()) * kh * kw * c_in
    return total


def _live_ops(graph) -> set[str]:
    """Names of the ops a call of the function runs: the ancestors of its outputs and of its stateful ops."""
    stack = [t.op for t in graph.outputs] + list(graph.control_outputs)
    stack += [op for op in graph.get_operations() if op.op_def.is_stateful]
    live = set()
    while stack:
        op = stack.pop()
        if op.name not in live:
            live.add(op.name)
            stack.extend(t.op for t in op.inputs)
            stack.extend(op.control_inputs)
    return live


def scheme_flops_per_epoch(scheme: str, x, y, n_classes: int, batch_size: int = 128) -> float:
    """MatMul FLOPs of one epoch of ``scheme`` on ``x, y`` (built and trained one epoch on a small slice first)."""
    import tensorflow as tf

    from serzoo.augmenters import make_augmenter
    from serzoo.models.per_class_gan import ClassBatches, PerClassGAN

    x, y = np.asarray(x, np.float32), np.asarray(y, np.int32)
    warm = np.concatenate([np.flatnonzero(y == c)[:8] for c in range(n_classes)])
    augmenter = make_augmenter(scheme, epochs=1)
    augmenter.jit_compile = False  # only the graph is needed
    augmenter.fit(x[warm], y[warm], n_classes)
    model, dim = augmenter.model, x.shape[1]
    if isinstance(model, PerClassGAN):  # every step is [C, width, D], padded and masked
        batches = ClassBatches(x, y, n_classes, batch_size, seed=0)
        spec = (
            tf.TensorSpec([n_classes, batches.width, dim], tf.float32),
            tf.TensorSpec([n_classes, batches.width], tf.float32),
        )
        return float(len(batches) * train_step_flops(model, spec))
    spec = (tf.TensorSpec([batch_size, dim], tf.float32), tf.TensorSpec([batch_size], tf.int32))
    return train_step_flops(model, spec) / batch_size * len(y)  # dense layers: linear in the batch


def _schemes(args) -> dict:
    from serzoo.data import iter_folds, load_corpus
    from serzoo.models import scheme_names
    from serzoo.schedules import training_for

    corpus = load_corpus(args.dataset, data_dir=args.data_dir, manual_dir=args.manual_dir)
    methods = [m for m in args.methods.split(",") if m in scheme_names()]
    from serzoo.models.classifiers import DnnClassifier

    out = {"dnn_flops_per_sample": None, "dnn_epochs": DnnClassifier().epochs, "folds": {}}
    for fold in iter_folds(corpus, max_folds=args.folds, progress=False):
        x, y = fold.x_train, fold.y_train
        out["dnn_flops_per_sample"] = dnn_flops_per_sample(x.shape[1], corpus.n_classes)
        out["folds"][fold.fold.name] = {
            "n_train": int(y.size),
            "dim": int(x.shape[1]),
            "epoch_flops": {
                m: scheme_flops_per_epoch(m, x, y, corpus.n_classes, training_for(m).batch_size) for m in methods
            },
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("matmul", "schemes"))
    parser.add_argument("--matmul-size", type=int, default=2048)
    parser.add_argument("--threads", type=int, default=0, help="TensorFlow threads (0: its default)")
    parser.add_argument("--dataset", default="emodb/is11")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--manual-dir", default=None)
    parser.add_argument("--folds", type=int, default=1)
    parser.add_argument("--methods", default="gan,cgan,aae,adan,wadan")
    args = parser.parse_args()
    if args.threads:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    result = {"matmul_flops": matmul_rate(args.matmul_size)} if args.what == "matmul" else _schemes(args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
