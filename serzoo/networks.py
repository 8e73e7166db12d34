"""Builders of Functional sub-networks: the one MLP builder every scheme and classifier uses, and the Conv1D
stacks of the frame-level models (tensor-to-tensor pieces that a builder assembles into a ``keras.Model``)."""

from __future__ import annotations

from collections.abc import Sequence

import keras


def mlp(
    input_dim: int,
    widths: Sequence[int],
    *,
    output_dim: int | None = None,
    activation: str = "relu",
    output_activation: str | None = None,
    dropout: float = 0.0,
    batch_norm: bool = False,
    output_batch_norm: bool = False,
    l2: float = 0.0,
    name: str = "mlp",
) -> keras.Model:
    """Fully connected network ``input_dim → widths… → output_dim`` as a Functional model.

    Args:
        input_dim: input features.
        widths: hidden layer sizes.
        output_dim: size of a final linear (or ``output_activation``) layer; ``None`` = no extra layer.
        activation: hidden activation.
        output_activation: activation of the output layer (e.g. ``"softmax"``).
        dropout: dropout rate after every hidden layer (0 = none).
        batch_norm: batch normalisation before every hidden activation.
        output_batch_norm: batch normalisation before the output activation too (also a linear output).
        l2: L2 weight penalty on every kernel.
        name: model name (prefix of layer names).

    Example:
        >>> net = mlp(4368, [100, 100], output_dim=7, output_activation="softmax", l2=1e-3)
    """
    regularizer = keras.regularizers.L2(l2) if l2 else None
    inputs = keras.Input(shape=(input_dim,), name=f"{name}_input")
    x = dense_stack(
        inputs,
        widths,
        activation=activation,
        dropout=dropout,
        batch_norm=batch_norm,
        regularizer=regularizer,
        name=name,
    )
    if output_dim is not None:
        x = dense_output(
            x,
            output_dim,
            activation=output_activation,
            batch_norm=output_batch_norm,
            regularizer=regularizer,
            name=f"{name}_output",
        )
    return keras.Model(inputs, x, name=name)


def dense_stack(
    x,
    widths: Sequence[int],
    *,
    activation: str = "relu",
    dropout: float = 0.0,
    batch_norm: bool = False,
    regularizer=None,
    name: str = "mlp",
):
    """Hidden layers ``Dense → [BatchNorm] → activation → [Dropout]`` applied to the tensor ``x`` (see :func:`mlp`)."""
    for i, width in enumerate(widths):
        x = keras.layers.Dense(width, kernel_regularizer=regularizer, use_bias=not batch_norm, name=f"{name}_dense{i}")(
            x
        )
        if batch_norm:
            x = keras.layers.BatchNormalization(name=f"{name}_bn{i}")(x)
        x = keras.layers.Activation(activation, name=f"{name}_act{i}")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"{name}_dropout{i}")(x)
    return x


def dense_output(
    x, units: int, *, activation: str | None = None, batch_norm: bool = False, regularizer=None, name: str = "output"
):
    """An output layer ``Dense → [BatchNorm] → activation`` on the tensor ``x`` (layer ``name``; its batch
    norm ``<name>_bn``). With ``batch_norm`` the normalisation comes before the activation, also for a linear
    or softmax output (the semi-supervised AAE of ICASSP 2019 normalises its softmax, linear and decoder outputs)."""
    if not batch_norm:
        return keras.layers.Dense(units, activation=activation, kernel_regularizer=regularizer, name=name)(x)
    x = keras.layers.Dense(units, use_bias=False, kernel_regularizer=regularizer, name=name)(x)
    x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
    return keras.layers.Activation(activation, name=f"{name}_act")(x) if activation else x


def conv1d_stack(
    x,
    filters: Sequence[int],
    *,
    kernel_size: int = 4,
    pool_size: int = 4,
    final_filters: int | None = None,
    batch_norm: bool = False,
    name: str = "conv",
):
    """``Conv1D(k, f, stride 1) → [BatchNorm] → ReLU → MaxPool1D(pool_size)`` per entry of ``filters``, then
    one unpooled ``Conv1D(k, final_filters)`` (Table 2 of the ICASSP 2019 semi-supervised AAE: filters
    ``(128, 128, 256, 256)``, pool 4, final 256) on a ``[batch, frames, channels]`` tensor ("same" padding:
    ``frames`` shrinks by ``pool_size ** len(filters)``)."""
    layers = [(f, pool_size) for f in filters] + ([(final_filters, None)] if final_filters else [])
    for i, (width, pool) in enumerate(layers):
        x = keras.layers.Conv1D(width, kernel_size, padding="same", use_bias=not batch_norm, name=f"{name}_conv{i}")(x)
        if batch_norm:
            x = keras.layers.BatchNormalization(name=f"{name}_bn{i}")(x)
        x = keras.layers.Activation("relu", name=f"{name}_act{i}")(x)
        if pool:
            x = keras.layers.MaxPooling1D(pool, padding="same", name=f"{name}_pool{i}")(x)
    return x


def conv1d_transpose_stack(
    x,
    filters: Sequence[int],
    *,
    kernel_size: int = 4,
    pool_size: int = 4,
    first_filters: int | None = None,
    batch_norm: bool = False,
    name: str = "deconv",
):
    """The mirror of :func:`conv1d_stack`: one ``Conv1DTranspose(k, first_filters)``, then per entry of
    ``filters`` unpooling (``UpSampling1D(pool_size)``) and ``Conv1DTranspose(k, f)`` (each with [BatchNorm]
    and ReLU); ``frames`` grows by ``pool_size ** len(filters)``."""
    layers = ([(first_filters, None)] if first_filters else []) + [(f, pool_size) for f in filters]
    for i, (width, pool) in enumerate(layers):
        if pool:
            x = keras.layers.UpSampling1D(pool, name=f"{name}_unpool{i}")(x)
        x = keras.layers.Conv1DTranspose(
            width, kernel_size, padding="same", use_bias=not batch_norm, name=f"{name}_conv{i}"
        )(x)
        if batch_norm:
            x = keras.layers.BatchNormalization(name=f"{name}_bn{i}")(x)
        x = keras.layers.Activation("relu", name=f"{name}_act{i}")(x)
    return x


def conv1d_discriminator(
    frames: int,
    channels: int,
    n_classes: int,
    *,
    filters: Sequence[int] = (64, 128, 128),
    kernel_size: int = 5,
    stride: int = 2,
    name: str = "sequence_discriminator",
) -> keras.Model:
    """A conditional patch discriminator of sequences: ``[x (frames, channels), condition (n_classes)] → logits
    [frames / stride^len(filters), 1]``. The condition (a one-hot label, or zeros) is repeated over the frames and
    concatenated to ``x``; each entry of ``filters`` is ``Conv1D(kernel_size, f, stride) → LeakyReLU(0.2)``; a
    linear ``Conv1D(kernel_size, 1)`` gives one logit per position, each judging a window of the sequence (the
    losses average them). Saito et al. (TASLP 2018) discriminate generated speech-parameter sequences; the
    per-window logits follow PatchGAN (Isola et al., CVPR 2017) and MelGAN (Kumar et al., NeurIPS 2019)."""
    x = keras.Input((frames, channels), name=f"{name}_input")
    condition = keras.Input((n_classes,), name=f"{name}_condition")
    h = keras.layers.Concatenate(name=f"{name}_concat")(
        [x, keras.layers.RepeatVector(frames, name=f"{name}_repeat")(condition)]
    )
    for i, width in enumerate(filters):
        h = keras.layers.Conv1D(width, kernel_size, strides=stride, padding="same", name=f"{name}_conv{i}")(h)
        h = keras.layers.LeakyReLU(0.2, name=f"{name}_act{i}")(h)
    logits = keras.layers.Conv1D(1, kernel_size, padding="same", name=f"{name}_logits")(h)
    return keras.Model([x, condition], logits, name=name)


@keras.saving.register_keras_serializable(package="serzoo")
class ClassMLP(keras.layers.Layer):
    """``n_classes`` independent MLPs ``input_dim → widths… → output_dim`` held as stacked weights.

    Layer ``i`` of class ``c`` is ``act(h @ kernel_i[c] + bias_i[c])`` with ``kernel_i`` of shape
    ``[n_classes, in, out]``: one batched matmul runs every class's network at once, and no weight of class
    ``c`` ever sees another class's input. Each class's kernels are initialised like a ``Dense`` layer's
    (Glorot uniform over that class's ``in`` and ``out``), biases with zeros; hidden layers use
    ``activation``, the output layer is linear (as :func:`mlp` with ``output_dim``).

    Args:
        n_classes: number of stacked networks.
        input_dim: input features.
        widths: hidden layer sizes.
        output_dim: size of the linear output layer.
        activation: hidden activation.

    Example:
        >>> generators = ClassMLP(7, 100, (800, 800), 4368)
        >>> generators(keras.random.normal((7, 32, 100))).shape    # [class, batch, features]
        TensorShape([7, 32, 4368])
    """

    def __init__(
        self, n_classes: int, input_dim: int, widths: Sequence[int], output_dim: int, activation: str = "relu", **kwargs
    ):
        super().__init__(**kwargs)
        self.n_classes, self.input_dim, self.output_dim = int(n_classes), int(input_dim), int(output_dim)
        self.widths = tuple(int(w) for w in widths)
        self.activation = keras.activations.get(activation)
        self.activation_name = activation
        sizes = (self.input_dim, *self.widths, self.output_dim)
        self.kernels, self.biases = [], []
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            limit = (6.0 / (fan_in + fan_out)) ** 0.5
            self.kernels.append(
                self.add_weight(
                    shape=(self.n_classes, fan_in, fan_out),
                    name=f"kernel{i}",
                    initializer=keras.initializers.RandomUniform(-limit, limit),
                )
            )
            self.biases.append(self.add_weight(shape=(self.n_classes, fan_out), name=f"bias{i}", initializer="zeros"))
        self.built = True

    def get_config(self):
        return {
            **super().get_config(),
            "n_classes": self.n_classes,
            "input_dim": self.input_dim,
            "widths": self.widths,
            "output_dim": self.output_dim,
            "activation": self.activation_name,
        }

    def _steps(self):
        last = len(self.kernels) - 1
        return [
            (k, b, None if i == last else self.activation) for i, (k, b) in enumerate(zip(self.kernels, self.biases))
        ]

    def call(self, inputs):
        """``[n_classes, batch, input_dim]`` → ``[n_classes, batch, output_dim]``: class ``c``'s net on row ``c``."""
        h = inputs
        for kernel, bias, activation in self._steps():
            h = keras.ops.einsum("cbi,cio->cbo", h, kernel) + bias[:, None, :]
            h = activation(h) if activation else h
        return h

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.output_dim)

    def for_labels(self, inputs, labels):
        """``[n, input_dim]`` → ``[n, output_dim]``, each row through the network of its class in ``labels``."""
        import tensorflow as tf

        labels = tf.cast(labels, tf.int32)
        rows = tf.dynamic_partition(tf.range(tf.shape(inputs)[0]), labels, self.n_classes)
        parts = tf.dynamic_partition(inputs, labels, self.n_classes)
        outputs = []
        for c, h in enumerate(parts):
            for kernel, bias, activation in self._steps():
                h = tf.matmul(h, kernel[c]) + bias[c]
                h = activation(h) if activation else h
            outputs.append(h)
        return tf.dynamic_stitch(rows, outputs)


def conv1d_output(x, channels: int, *, kernel_size: int = 4, batch_norm: bool = False, name: str = "output"):
    """A linear ``Conv1DTranspose(kernel_size, channels)`` output layer on a ``[batch, frames, filters]`` tensor,
    with [BatchNorm] (the frame-level decoder's last layer, mapping back to the LLDs)."""
    x = keras.layers.Conv1DTranspose(channels, kernel_size, padding="same", use_bias=not batch_norm, name=name)(x)
    return keras.layers.BatchNormalization(name=f"{name}_bn")(x) if batch_norm else x
