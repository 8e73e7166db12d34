"""Toy schemes that are not part of serzoo: new modules registered at run time (tests/test_registry.py shows
that registering one is the only edit needed to reach ``augment``, ``serzoo export`` and ``serzoo reproduce``, or,
for the classifier-only one, to be listed, checked and refused where a generator is needed).

``ToyRegressor``: ``G(z ⊕ one_hot(y))`` regressed onto real samples of class y, the smallest conditional generator
with a custom ``train_step`` and one player. ``ToyClassifier``: softmax regression, the smallest classifier-only
scheme.
"""

import keras
import tensorflow as tf
from keras import ops

from serzoo import losses
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


@keras.saving.register_keras_serializable(package="serzoo_tests")
class ToyClassifier(AdversarialScheme):
    """A classifier-only scheme (no generator): softmax regression trained by its own ``train_step``."""

    PLAYERS = {"classifier": ("classifier",)}
    NETWORKS = ("classifier",)
    LOSSES = ("classification_loss",)

    def __init__(self, classifier, **kwargs):
        super().__init__(**kwargs)
        self.classifier = classifier
        self.feature_dim = int(classifier.input_shape[-1])
        self.build((None, self.feature_dim))

    def call(self, x, training=False):
        return ops.softmax(self.classifier(x, training=training), axis=-1)

    def compute_losses(self, x, y, training=False):
        return {"classification_loss": losses.weighted_cross_entropy(y, self.classifier(x, training=training))}

    def train_step(self, data):
        x, y = data[0], data[1]
        with tf.GradientTape() as tape:
            loss = self.compute_losses(x, y, training=True)["classification_loss"]
        self._apply(tape, loss, "classifier")
        return self._record({"classification_loss": loss})


def build_toy_classifier(input_dim: int, n_classes: int, **scheme_options):
    return ToyClassifier(
        mlp(input_dim, (), output_dim=n_classes, name="classifier"), n_classes=n_classes, **scheme_options
    )
