"""Compiled classifier training: one graph call per epoch, one XLA kernel per optimizer step.

Makes the updates of ``keras.Model.fit`` for a softmax classifier compiled with
``sparse_categorical_crossentropy``, per-sample (class) weights and the model's regularisers, with
Keras' ``"sum_over_batch_size"`` reduction: the loss of a batch of ``b`` samples is
``Σ_i w_i · CE_i / b + Σ regularisers`` and ``b`` is the true size of the last, partial batch. It
skips Keras' per-batch Python and data pipeline: the data stay resident as tensors and an epoch
is one XLA-compiled ``tf.while_loop`` over the batches of a given permutation, each step of fixed
shape (the partial batch is padded with weight-0 rows, which add exact zeros to the gradients).

Trainers are cached per graph signature (input size, layers, classes, regulariser, optimizer,
batch size), and the epoch function takes any number of samples, so one process can train many
classifiers on data of different sizes with one trace per signature (no "triggered tf.function
retracing" warnings); XLA compiles once per padded data size (:func:`_bucket`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable

import numpy as np

_TRAINERS: dict[Hashable, CompiledTrainer] = {}


class CompiledTrainer:
    """A template model and optimizer whose state is loaded, trained in place and read back.

    Args:
        build_model: returns a fresh Keras model (the structure every trained model shares).
        build_optimizer: returns a fresh Keras optimizer (its initial state is restored per fit).
        batch_size: samples per optimizer step.

    Example:
        >>> trainer = cached_trainer(key, build_model, build_optimizer, 32)
        >>> trainer.fit(model, x, y, sample_weight, orders)  # trains ``model`` in place
    """

    def __init__(self, build_model: Callable, build_optimizer: Callable, batch_size: int):
        import keras
        import tensorflow as tf

        self.model = build_model()
        self.optimizer = build_optimizer()
        self.optimizer.build(self.model.trainable_variables)
        self._fresh_optimizer_state = [v.numpy() for v in self.optimizer.variables]
        self.batch_size = batch_size
        weights = self.model.trainable_variables

        @tf.function(jit_compile=True)
        def step(x, y, sample_weight, n_valid):
            with tf.GradientTape() as tape:
                probabilities = self.model(x, training=True)
                per_sample = keras.losses.sparse_categorical_crossentropy(y, probabilities)
                data_loss = keras.ops.divide_no_nan(keras.ops.sum(per_sample * sample_weight), n_valid)
                loss = keras.ops.sum([data_loss, *self.model.losses])
            self.optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights))

        n_features = self.model.inputs[0].shape[1]

        @tf.function(
            jit_compile=True,
            input_signature=[
                tf.TensorSpec([None, n_features], tf.float32),
                tf.TensorSpec([None], tf.int32),
                tf.TensorSpec([None], tf.float32),
                tf.TensorSpec([None], tf.int32),
                tf.TensorSpec([], tf.int32),
            ],
        )
        def epoch(x, y, sample_weight, order, n):
            offsets = tf.range(batch_size)
            for start in tf.range(0, n, batch_size):
                rows = tf.gather(order, tf.minimum(start + offsets, n - 1))
                step(
                    tf.gather(x, rows),
                    tf.gather(y, rows),
                    tf.where(start + offsets < n, tf.gather(sample_weight, rows), 0.0),
                    tf.cast(tf.minimum(batch_size, n - start), tf.float32),
                )

        self._epoch = epoch

    @property
    def traces(self) -> int:
        """How many times the epoch function was traced (1 after the first fit, whatever the data sizes)."""
        return self._epoch.experimental_get_tracing_count()

    def fit(self, model, x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray, orders: Iterable[np.ndarray]) -> None:
        """Train ``model`` (same structure as the template) in place, one epoch per order.

        Args:
            model: initialised Keras model; its weights are the start and receive the result.
            x: inputs ``(n, features)``; y: integer labels ``(n,)``; sample_weight: ``(n,)``.
            orders: one permutation of ``range(n)`` per epoch (the batch order), or a prefix of one
                (an epoch over only those rows).
        """
        import tensorflow as tf

        self.model.set_weights(model.get_weights())
        for variable, value in zip(self.optimizer.variables, self._fresh_optimizer_state):
            variable.assign(value)
        n = len(x)
        padded = _bucket(n)  # XLA compiles once per padded size, not once per data size
        pad = [(0, padded - n)]
        x = tf.convert_to_tensor(np.pad(np.asarray(x, np.float32), pad + [(0, 0)]))
        y = tf.convert_to_tensor(np.pad(np.asarray(y, np.int32), pad))
        sample_weight = tf.convert_to_tensor(np.pad(np.asarray(sample_weight, np.float32), pad))
        for order in orders:  # an order may be shorter than n (a last, partial epoch): only its rows are used
            order = np.asarray(order, np.int32)
            if order.size > n:
                raise ValueError(f"an epoch order has {order.size} rows, more than the {n} samples")
            padded_order = tf.convert_to_tensor(np.pad(order, [(0, padded - order.size)]))
            self._epoch(x, y, sample_weight, padded_order, tf.constant(order.size, tf.int32))
        model.set_weights(self.model.get_weights())


def _bucket(n: int) -> int:
    """``n`` rounded up to a multiple of ``2^(bits(n) - 3)``: at most 8 sizes per doubling, ≤ 25 % padding."""
    unit = 1 << max(n.bit_length() - 3, 0)
    return -(-n // unit) * unit


def cached_trainer(key: Hashable, build_model: Callable, build_optimizer: Callable, batch_size: int) -> CompiledTrainer:
    """The process-wide :class:`CompiledTrainer` for ``key`` (built on first use).

    ``key`` must determine the graph: everything ``build_model``/``build_optimizer`` and
    ``batch_size`` depend on.
    """
    if key not in _TRAINERS:
        _TRAINERS[key] = CompiledTrainer(build_model, build_optimizer, batch_size)
    return _TRAINERS[key]
