"""The benchmarks' FLOP counts of a traced train step match closed forms (``benchmarks/flops.py``)."""

import pathlib
import sys

import keras
import numpy as np
import tensorflow as tf

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))

BATCH, FRAMES, C_IN, K = 4, 20, 3, 5


def _step_flops(layers, out_channels):
    from flops import train_step_flop_parts

    inputs = keras.Input((FRAMES, C_IN))
    x = inputs
    for layer in layers:
        x = layer(x)
    model = keras.Model(inputs, x)
    model.compile(optimizer="sgd", loss="mse")
    out_len = model.output_shape[1]
    model.fit(np.zeros((BATCH, FRAMES, C_IN)), np.zeros((BATCH, out_len, out_channels)), verbose=0)
    spec = (tf.TensorSpec([BATCH, FRAMES, C_IN]), tf.TensorSpec([BATCH, out_len, out_channels]))
    return train_step_flop_parts(model, spec)


def test_one_conv1d_layer_costs_its_forward_pass_and_kernel_gradient():
    c_out = 7
    parts = _step_flops([keras.layers.Conv1D(c_out, K, padding="valid")], c_out)
    forward = 2 * (FRAMES - K + 1) * K * C_IN * c_out  # per example; no input gradient (the input is data)
    assert parts == {"matmul": 0, "einsum": 0, "conv": BATCH * 2 * forward}


def test_conv1d_then_transpose_counts_the_inner_input_gradient_once():
    hidden, c_out = 6, 2
    parts = _step_flops(
        [keras.layers.Conv1D(hidden, K, padding="same"), keras.layers.Conv1DTranspose(c_out, K, padding="same")], c_out
    )
    first = 2 * FRAMES * K * C_IN * hidden  # forward + kernel gradient
    second = 2 * FRAMES * K * hidden * c_out  # forward + kernel gradient + input gradient
    assert parts["conv"] == BATCH * (2 * first + 3 * second)


def test_dense_head_is_counted_by_the_profiler_beside_the_convolution():
    c_out, units = 4, 3
    parts = _step_flops(
        [
            keras.layers.Conv1D(c_out, K, padding="valid"),
            keras.layers.Flatten(),
            keras.layers.Dense(units),
            keras.layers.Reshape((units, 1)),
        ],
        1,
    )
    flat = (FRAMES - K + 1) * c_out
    assert parts["matmul"] == BATCH * 3 * 2 * flat * units  # forward, kernel and input gradient
    assert parts["conv"] == BATCH * 2 * 2 * (FRAMES - K + 1) * K * C_IN * c_out
