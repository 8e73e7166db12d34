"""Builders of Functional sub-networks (the one MLP builder every scheme and classifier uses)."""

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
        l2: L2 weight penalty on every kernel.
        name: model name (prefix of layer names).

    Example:
        >>> net = mlp(4368, [100, 100], output_dim=7, output_activation="softmax", l2=1e-3)
    """
    regularizer = keras.regularizers.L2(l2) if l2 else None
    inputs = keras.Input(shape=(input_dim,), name=f"{name}_input")
    x = inputs
    for i, width in enumerate(widths):
        x = keras.layers.Dense(
            width, kernel_regularizer=regularizer, use_bias=not batch_norm, name=f"{name}_dense{i}"
        )(x)
        if batch_norm:
            x = keras.layers.BatchNormalization(name=f"{name}_bn{i}")(x)
        x = keras.layers.Activation(activation, name=f"{name}_act{i}")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"{name}_dropout{i}")(x)
    if output_dim is not None:
        x = keras.layers.Dense(
            output_dim, activation=output_activation, kernel_regularizer=regularizer,
            name=f"{name}_output",
        )(x)
    return keras.Model(inputs, x, name=name)
