"""Loss functions against hand-computed values, for (batch, features) and (batch, frames, features)."""

import math

import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from serzoo import losses


def value(t):
    return float(ops.convert_to_numpy(t))


def test_discriminator_and_generator_losses():
    real, fake = np.array([[0.0], [2.0]], "float32"), np.array([[-1.0], [0.0]], "float32")
    sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    expected_d = -(math.log(sig(0)) + math.log(sig(2))) / 2 - (math.log(1 - sig(-1)) + math.log(1 - sig(0))) / 2
    assert value(losses.discriminator_loss(real, fake)) == pytest.approx(expected_d, rel=1e-5)
    assert value(losses.generator_loss_non_saturating(fake)) == pytest.approx(
        -(math.log(sig(-1)) + math.log(sig(0))) / 2, rel=1e-5
    )
    assert value(losses.generator_loss_minimax(fake)) == pytest.approx(
        (math.log(1 - sig(-1)) + math.log(1 - sig(0))) / 2, rel=1e-5
    )
    assert np.isfinite(value(losses.discriminator_loss(np.array([[200.0]]), np.array([[-200.0]]))))


def test_per_row_gan_losses_are_the_losses_of_each_row_over_its_unmasked_entries():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(3, 5)).astype("float32"), rng.normal(size=(3, 5)).astype("float32")
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0], [0, 0, 0, 0, 0]], "float32")
    d = ops.convert_to_numpy(losses.discriminator_loss_per_row(real, fake, mask))
    g = ops.convert_to_numpy(losses.generator_loss_non_saturating_per_row(fake, mask))
    for row, n in ((0, 5), (1, 2)):
        assert d[row] == pytest.approx(value(losses.discriminator_loss(real[row, :n], fake[row, :n])), rel=1e-5)
        assert g[row] == pytest.approx(value(losses.generator_loss_non_saturating(fake[row, :n])), rel=1e-5)
    assert d[2] == 0.0 and g[2] == 0.0  # an empty row contributes nothing


def test_weighted_cross_entropy():
    logits = np.array([[0.0, 0.0], [math.log(3.0), 0.0]], "float32")  # p = [.5 .5], [.75 .25]
    labels = np.array([0, 1])
    assert value(losses.weighted_cross_entropy(labels, logits)) == pytest.approx(
        -(math.log(0.5) + math.log(0.25)) / 2, rel=1e-5
    )
    assert value(losses.weighted_cross_entropy(labels, logits, [1.0, 3.0])) == pytest.approx(
        -(math.log(0.5) + 3 * math.log(0.25)) / 2, rel=1e-5
    )


def test_reconstruction_is_rank_generic():
    x = np.zeros((2, 3, 4), "float32")
    x_hat = np.ones((2, 3, 4), "float32")
    x_hat[1] = 2.0
    assert value(losses.reconstruction_loss(x, x_hat)) == pytest.approx((12 + 48) / 2)
    assert value(losses.reconstruction_loss(x[:, 0], x_hat[:, 0])) == pytest.approx((4 + 16) / 2)
    assert value(losses.reconstruction_loss(x, x_hat, "mean")) == pytest.approx(2.5)
    with pytest.raises(ValueError, match="reduction"):
        losses.reconstruction_loss(x, x_hat, "max")


def test_gradient_norm_power_and_wasserstein_divergence():
    grads = np.array([[3.0, 4.0], [0.0, 0.0]], "float32")  # norms 5 and ~0
    assert value(losses.gradient_norm_power(grads, 5.0)) == pytest.approx(5**5 / 2, rel=1e-4)
    frames = np.ones((2, 2, 2), "float32")  # norms 2 and 2 over (frames, features)
    assert value(losses.gradient_norm_power(frames, 2.0)) == pytest.approx(4.0, rel=1e-4)
    assert value(
        losses.wasserstein_divergence_critic_loss(np.array([1.0, 3.0]), np.array([0.5, 0.5]), 2.0, 10.0)
    ) == pytest.approx(2.0 - 0.5 + 20.0)


def test_penalty_of_a_linear_critic_by_autodiff():
    """D(x) = w·x has ∇D = w everywhere: the penalty is ||w||^p whatever the interpolates."""
    w = tf.constant([[1.0], [2.0], [2.0]])  # ||w|| = 3
    real, fake = tf.random.normal((5, 3)), tf.random.normal((5, 3))
    mixed = losses.interpolate(real, fake, tf.random.uniform((5,)))
    with tf.GradientTape() as tape:
        tape.watch(mixed)
        scores = tf.matmul(mixed, w)
    assert value(losses.gradient_norm_power(tape.gradient(scores, mixed), 5.0)) == pytest.approx(3**5, rel=1e-4)


def test_interpolate_broadcasts_per_sample():
    real, fake = np.zeros((2, 3, 2), "float32"), np.ones((2, 3, 2), "float32")
    mixed = ops.convert_to_numpy(losses.interpolate(real, fake, np.array([0.25, 1.0], "float32")))
    np.testing.assert_allclose(mixed[0], 0.25)
    np.testing.assert_allclose(mixed[1], 1.0)
