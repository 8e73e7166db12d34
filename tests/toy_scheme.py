"""A toy scheme that is not part of serzoo: a new module registered at run time (tests/test_registry.py shows
that registering it is the only edit needed to reach ``augment``, ``serzoo export`` and ``serzoo reproduce``).

``G(z ⊕ one_hot(y))`` regressed onto real samples of class y: the smallest conditional generator with a custom
``train_step`` and one player.
"""

import keras
import tensorflow as tf
from keras import ops

from serzoo.models.scheme import AdversarialScheme
from serzoo.networks import mlp


@keras.saving.register_keras_serializable(package="serzoo_tests")
class ToyRegressor(AdversarialScheme):
    PLAYERS = {"generator": ("generator",)}
    NETWORKS = ("generator",)
    LOSSES = ("regression_loss",)

    def __init__(self, generator, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.noise_dim = int(generator.input_shape[-1]) - self.n_classes
        self.feature_dim = int(generator.output_shape[-1])
        self.build((None, self.feature_dim))

    def call(self, x, training=False):
        batch = ops.shape(x)[0]
        return self.synthesize(ops.zeros((batch, self.noise_dim)), ops.zeros((batch,), "int32"))

    def synthesize(self, noise, labels):
        return self.generator(ops.concatenate([noise, self.one_hot(labels)], axis=-1), training=False)

    def compute_losses(self, x, y, training=False):
        fake = self.generator(
            ops.concatenate([self.noise(ops.shape(x)[0], self.noise_dim), self.one_hot(y)], -1), training=training
        )
        return {"regression_loss": ops.mean(ops.square(fake - x))}

    def train_step(self, data):
        x, y = data[0], data[1]
        with tf.GradientTape() as tape:
            loss = self.compute_losses(x, y, training=True)["regression_loss"]
        self._apply(tape, loss, "generator")
        return self._record({"regression_loss": loss})


def build_toy(input_dim: int, n_classes: int, *, noise_dim: int = 4, width: int = 8, **scheme_options):
    return ToyRegressor(
        mlp(noise_dim + n_classes, (width,), output_dim=input_dim, name="generator"),
        n_classes=n_classes,
        **scheme_options,
    )
