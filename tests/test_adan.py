"""ADAN / WADAN: shared scheme checks, Algorithm 1 behaviour, errors."""

import numpy as np
import pytest

from serzoo.models.adan import build_adan
from tests.scheme_checks import FEATURES, N_CLASSES, tiny_data


def tiny_adan(divergence, **options):
    return build_adan(
        FEATURES,
        N_CLASSES,
        latent_dim=4,
        noise_dim=4,
        autoencoder_width=16,
        width=8,
        divergence=divergence,
        seed=1,
        **options,
    )


def test_paper_architecture():
    model = build_adan(4368, 7)
    widths = {
        name: [layer.units for layer in getattr(model, name).layers if hasattr(layer, "units")]
        for name in model.NETWORKS
    }
    assert widths == {
        "encoder": [800, 800, 100],
        "decoder": [800, 800, 4368],
        "classifier": [100, 100, 7],
        "generator": [100, 100, 100],
        "discriminator": [100, 100, 1],
    }
    assert model.generator.input_shape == (None, 107)


def test_every_player_moves_and_only_its_own_networks(tmp_path):
    model = tiny_adan("wasserstein")
    model.compile()
    x, y = tiny_data()
    before = {name: [w.copy() for w in getattr(model, name).get_weights()] for name in model.NETWORKS}
    model.train_on_batch(x[:16], y[:16])
    for name in model.NETWORKS:
        moved = any(not np.allclose(a, b) for a, b in zip(before[name], getattr(model, name).get_weights()))
        assert moved, f"{name} did not update"


@pytest.mark.slow
def test_training_improves_reconstruction_and_latent_classification():
    import keras

    keras.utils.set_random_seed(0)
    model = tiny_adan("js")
    model.compile()
    x, y = tiny_data(96)
    first = model.evaluate(x, y, verbose=0, return_dict=True)
    model.compile(**{f"{p}_optimizer": keras.optimizers.Adam(3e-3) for p in model.PLAYERS})
    model.fit(x, y, batch_size=32, epochs=60, verbose=0)
    last = model.evaluate(x, y, verbose=0, return_dict=True)
    assert last["reconstruction_loss"] < 0.7 * first["reconstruction_loss"]
    assert last["classifier_loss"] < 0.5 * first["classifier_loss"]


def test_bad_arguments():
    with pytest.raises(ValueError, match="divergence must be one of"):
        tiny_adan("kl")
    model = tiny_adan("js")
    with pytest.raises(ValueError, match="labels must lie in 0..2"):
        model.generate(np.array([0, 3]))
    with pytest.raises(ValueError, match="no player"):
        model.compile(critic_optimizer="adam")
    with pytest.raises(ValueError, match="class_weights has 2 entries"):
        tiny_adan("js", class_weights=[1.0, 2.0])


@pytest.mark.parametrize("objective", ["minimax", "non_saturating"])
def test_generator_objectives_follow_the_loss_functions(objective):
    from serzoo import losses

    model = tiny_adan("js", generator_objective=objective)
    x, y = tiny_data(8)
    h_fake = model.generator(model._generator_input(y, 8))
    scores = model.discriminator(h_fake)
    adversarial = (losses.generator_loss_minimax if objective == "minimax" else losses.generator_loss_non_saturating)(
        scores
    )
    expected = float(adversarial) + float(losses.weighted_cross_entropy(y, model.classifier(h_fake)))
    np.testing.assert_allclose(float(model._generator_loss(y, h_fake)), expected, rtol=1e-5)
    with pytest.raises(ValueError, match="generator_objective must be one of"):
        tiny_adan("js", generator_objective="hinge")


def test_bounded_latent_space_option():
    model = tiny_adan("js", latent_activation="tanh")
    x, y = tiny_data(8)
    assert np.abs(model.encode(x).numpy()).max() <= 1.0
    assert np.abs(model.generator(model._generator_input(y, 8)).numpy()).max() <= 1.0
