"""The contour terms of the frame-level semi-supervised AAE: each loss against a hand computation, and each term
connected (a model trained with it moves differently from the same model without it)."""

import math

import keras
import numpy as np
import pytest
from keras import ops

from serzoo import losses
from serzoo.models.semi_aae import (
    CONTOUR_WEIGHTS,
    RESCALE_EPSILON,
    build_semi_aae,
    build_semi_aae_frames,
    rescale_contour,
)
from tests.scheme_checks import FEATURES, N_CLASSES, TINY_OPTIONS, check_scheme, tiny_data

TINY_FRAMES = {**TINY_OPTIONS["semi_aae_frames"], "sequence_filters": (4, 4)}
CROP = TINY_FRAMES["crop_frames"]


def value(t):
    return float(ops.convert_to_numpy(t))


# ----------------------------------------------------------------- the losses by hand
def test_log_variance_matching_of_a_scaled_contour():
    x = np.random.default_rng(0).normal(size=(3, 40, 2)).astype("float32")
    assert value(losses.log_variance_matching(x, x)) == 0.0
    # GV(2x) = 4 GV(x) for the contour and its differences: (log 4)^2 up to the epsilon
    assert value(losses.log_variance_matching(x, 2 * x, epsilon=1e-9)) == pytest.approx(math.log(4) ** 2, rel=1e-4)
    assert value(losses.log_variance_matching(x, 2 * x, order=1, epsilon=1e-9)) == pytest.approx(
        math.log(4) ** 2, rel=1e-4
    )
    ramp = np.linspace(0, 1, 40, dtype="float32")[None, :, None]  # smooth: small differences
    shuffled = np.random.default_rng(1).permutation(ramp[0])[None]  # same values (same GV), rough
    assert value(losses.log_variance_matching(ramp, shuffled)) == pytest.approx(0.0, abs=1e-6)
    assert value(losses.log_variance_matching(ramp, shuffled, order=1)) > 1.0
    with pytest.raises(ValueError, match="batch, frames, channels"):
        losses.log_variance_matching(x[0], x[0])


def test_modulation_spectrum_loss_against_numpy():
    rng = np.random.default_rng(2)
    x, x_hat = (rng.normal(size=(2, 128, 3)).astype("float32") for _ in range(2))

    def log_ms(a):  # [batch, channels, 32]: Welch average over the two 64-frame pieces, DC dropped
        pieces = a.reshape(2, 2, 64, 3)
        pieces = pieces - pieces.mean(axis=2, keepdims=True)
        power = (np.abs(np.fft.rfft(pieces, axis=2)) ** 2).mean(axis=1)[:, 1:33] / 64
        return np.log(power + 1e-4).transpose(0, 2, 1)

    expected = np.mean((log_ms(x_hat) - log_ms(x)) ** 2)
    assert value(losses.modulation_spectrum_loss(x, x_hat)) == pytest.approx(expected, rel=1e-4)
    assert value(losses.modulation_spectrum_loss(x, 3 * x + 1, epsilon=1e-12)) == pytest.approx(
        math.log(9) ** 2, rel=1e-3
    )
    short = x[:, :8]  # shorter than a segment: one piece of the whole sequence
    assert value(losses.modulation_spectrum_loss(short, short)) == 0.0


def test_contour_statistics_loss_and_rescale():
    x = np.array([[[1.0, 0.0], [3.0, 0.0]]], "float32")  # channel 0: mean 2, std 1; channel 1: constant
    mean, log_std = losses.contour_statistics(x, epsilon=0.0)
    np.testing.assert_allclose(ops.convert_to_numpy(mean), [[2.0, 0.0]])
    assert value(log_std[0, 0]) == pytest.approx(0.0)
    predicted_mean, predicted_log_std = np.array([[1.0, 1.0]], "float32"), np.array([[0.5, 0.0]], "float32")
    by_hand = (1 + 1) / 2 + (0.25 + (0.5 * math.log(1e-4)) ** 2) / 2
    assert value(losses.contour_statistics_loss(x, predicted_mean, predicted_log_std)) == pytest.approx(by_hand, 1e-5)
    shape = np.random.default_rng(3).normal(size=(2, 50, 2)).astype("float32")
    contour = ops.convert_to_numpy(rescale_contour(shape, predicted_mean.repeat(2, 0), predicted_log_std.repeat(2, 0)))
    np.testing.assert_allclose(contour.mean(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(contour.std(axis=1), np.exp([0.5, 0.0])[None].repeat(2, 0), rtol=1e-3)


# ----------------------------------------------------------------- the terms in the model
def _frames_model(**options):
    keras.utils.set_random_seed(0)  # the same initial networks for every set of options
    return build_semi_aae_frames(FEATURES, N_CLASSES, seed=0, **{**TINY_FRAMES, **options})


def _one_autoencoder_step(model, x, y):
    """One reconstruction-phase step (every other player at rate 0); every network's weights after it."""
    model.compile(**{f"{p}_optimizer": keras.optimizers.SGD(0.5 if p == "autoencoder" else 0.0) for p in model.PLAYERS})
    history = model.fit(x, y, batch_size=len(y), epochs=1, verbose=0, shuffle=False).history
    return _trainable(model), history


def _trainable(model) -> dict:
    """Each present network's trainable weights (not the batch-norm statistics, which any forward pass moves)."""
    present = [n for n in model.NETWORKS if getattr(model, n) is not None]
    return {n: [v.numpy().copy() for v in getattr(model, n).trainable_variables] for n in present}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("options", "network"),
    [
        ({"variance_weight": 1.0}, "decoder"),
        ({"delta_weight": 1.0}, "decoder"),
        ({"spectrum_weight": 1.0}, "decoder"),
        ({"adversarial_weight": 1.0}, "decoder"),
        ({"contour_statistics": True, "statistics_weight": 1.0}, "statistics_decoder"),
    ],
)
def test_each_contour_term_reaches_the_networks_it_trains(options, network):
    """The same model and batch with the term at weight 0 and at weight 1: the term's network must move
    differently (a disconnected or stop-gradient term fails), and the logged contour loss is the term's value."""
    x, y = tiny_data(12, frames=CROP)
    off = {k: (0.0 if k in CONTOUR_WEIGHTS else v) for k, v in options.items()}
    with_term, history = _one_autoencoder_step(_frames_model(**options), x, y)
    without, history_off = _one_autoencoder_step(_frames_model(**off), x, y)
    assert any(not np.allclose(a, b) for a, b in zip(with_term[network], without[network]))
    if "adversarial_weight" in options:
        assert history["sequence_generator_loss"][0] > 0 and history["contour_loss"] == [0.0]
    else:
        assert history["contour_loss"][0] > 0 and history_off["contour_loss"] == [0.0]


@pytest.mark.slow
def test_the_mse_moves_the_statistics_decoders_mean_but_not_its_spread():
    """Without the statistics term, the reconstruction MSE reaches the predicted mean and the normalised shape but
    not the predicted log std (else it would shrink the spread, the over-smoothing this decoder avoids)."""
    x, y = tiny_data(12, frames=CROP)
    model = _frames_model(contour_statistics=True)
    before = _trainable(model)["statistics_decoder"]
    after, _ = _one_autoencoder_step(model, x, y)
    kernel_before, kernel_after = before[-2], after["statistics_decoder"][-2]  # the output layer: [mean | log std]
    assert not np.allclose(kernel_before[:, :FEATURES], kernel_after[:, :FEATURES])
    np.testing.assert_array_equal(kernel_before[:, FEATURES:], kernel_after[:, FEATURES:])
    decoded = ops.convert_to_numpy(model.generate(np.array([0, 1, 2], "int32"), seed=0))
    latent = np.concatenate([np.eye(N_CLASSES, dtype="float32"), model.noise(3, model.style_dim, seed=0)], axis=1)
    log_std = ops.convert_to_numpy(model.statistics_decoder(latent))[:, FEATURES:]
    shape_variance = ops.convert_to_numpy(model.decoder(latent)).var(axis=1)
    spread = np.exp(log_std) * np.sqrt(shape_variance / (shape_variance + RESCALE_EPSILON))
    np.testing.assert_allclose(decoded.std(axis=1), spread, rtol=1e-3)  # the spread it predicts


@pytest.mark.slow
def test_the_sequence_discriminator_is_its_own_player():
    x, y = tiny_data(12, frames=CROP)
    model = _frames_model(adversarial_weight=1.0)
    model.compile(
        **{
            f"{p}_optimizer": keras.optimizers.Adam(1e-2)
            if p == "sequence_discriminator"
            else keras.optimizers.SGD(0.0)
            for p in model.PLAYERS
        }
    )
    before = _trainable(model)
    history = model.fit(x, y, batch_size=12, epochs=1, verbose=0).history
    after = _trainable(model)
    moved = {n for n in before if any(not np.allclose(a, b) for a, b in zip(before[n], after[n]))}
    assert moved == {"sequence_discriminator"} and history["sequence_discriminator_loss"][0] > 0


@pytest.mark.slow
def test_a_model_with_every_contour_option_passes_the_shared_checks(tmp_path):
    model = _frames_model(
        contour_statistics=True,
        variance_weight=1.0,
        delta_weight=1.0,
        spectrum_weight=0.5,
        adversarial_weight=0.1,
        statistics_weight=1.0,
    )
    check_scheme(model, tmp_path)


def test_contour_options_are_checked():
    with pytest.raises(ValueError, match="are for frame-level models"):
        build_semi_aae(FEATURES, N_CLASSES, style_dim=4, width=16, discriminator_width=8, variance_weight=1.0)
    with pytest.raises(ValueError, match="needs a statistics_decoder"):
        _frames_model(statistics_weight=1.0)
    with pytest.raises(ValueError, match="must be >= 0"):
        _frames_model(delta_weight=-1.0)


@pytest.mark.slow
def test_the_exported_frame_generator_decodes_with_the_statistics_decoder(tmp_path):
    """``generate(labels, seed, frames)`` of the SavedModel runs the rescaled decoder (mean + std x shape)."""
    import tensorflow as tf

    from serzoo.augmenters import ExportedGenerator
    from serzoo.data import Normalizer
    from serzoo.export import export_generator

    x, y = tiny_data(24, frames=CROP)
    model = _frames_model(contour_statistics=True, statistics_weight=1.0, delta_weight=1.0)
    model.compile()
    model.fit(x, y, batch_size=12, epochs=1, verbose=0)
    normalizer = Normalizer("global").fit(5.0 + 3.0 * x.reshape(-1, FEATURES))
    manifest = {"dataset": "tiny", "feature_set": "tiny", "class_names": ["a", "b", "c"]}
    generator = ExportedGenerator(export_generator(model, normalizer, tmp_path / "frames" / "1", manifest=manifest))
    labels = np.array([0, 1, 2], "int32")
    exported = generator.sample(labels, seed=4, frames=CROP)
    noise = tf.random.stateless_normal([3, model.noise_dim], seed=tf.constant([4, 0], tf.int64))
    expected = normalizer.inverse_transform(ops.convert_to_numpy(model.synthesize(noise, labels)))
    np.testing.assert_allclose(exported, expected, rtol=1e-4, atol=1e-4)
