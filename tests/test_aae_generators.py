"""M1 / M2 / M3 of Sahu et al.: shared scheme checks, the paper's layer sizes and optimizers, D2's
update, M3's code generator and mutual-information term."""

import keras
import numpy as np
import pytest

from serzoo.models.aae_generators import build_m1, build_m2, build_m3
from serzoo.schedules import SAHU_SGD, training_for
from tests.scheme_checks import FEATURES, N_CLASSES, tiny_data

TINY = {"widths": (16, 8, 4), "seed": 1}
TINY_M3 = {
    "widths": (16, 8),
    "discriminator_widths": (16, 8),
    "code_dim": 4,
    "noise_dim": 3,
    "code_generator_width": 8,
    "auxiliary_width": 8,
    "seed": 1,
}


def units(network):
    return [layer.units for layer in network.layers if hasattr(layer, "units")]


def adam(model, rate=1e-3):
    return {f"{p}_optimizer": keras.optimizers.Adam(rate) for p in model.PLAYERS}


def test_paper_layer_sizes():
    m2 = build_m2(1582, 4)
    assert units(m2.encoder) == [1000, 500, 100, 2] and units(m2.decoder) == [100, 500, 1000, 1582]
    assert m2.discriminator.input_shape == (None, 6) and units(m2.discriminator) == [1000, 500, 100, 1]
    assert m2.feature_discriminator.input_shape == (None, 1586)
    assert units(m2.feature_discriminator) == [1000, 500, 100, 1]
    assert units(build_m1(1582, 4).encoder) == [1000, 500, 100, 2]

    m3 = build_m3(1582, 4)
    assert units(m3.encoder) == [1000, 700, 300, 256] and units(m3.decoder) == [300, 700, 1000, 1582]
    assert m3.discriminator.input_shape == (None, 260) and units(m3.discriminator) == [1000, 500, 100, 1]
    assert m3.code_generator.input_shape == (None, 24) and units(m3.code_generator) == [140, 256]
    assert m3.feature_discriminator.input_shape == (None, 1586)
    assert units(m3.feature_discriminator) == [1000, 500, 100, 1]
    assert m3.auxiliary.input_shape == (None, 100) and units(m3.auxiliary) == [128, 4]
    assert m3.noise_dim == 20 and m3.code_dim == 256 and m3.generator_steps == 2


def paper_optimizers(scheme, players=()):
    return training_for(scheme, "paper").optimizers(scheme, players)


def test_paper_optimizers():
    optimizers = paper_optimizers("m3")
    assert set(optimizers) == {f"{p}_optimizer" for p in build_m3(FEATURES, N_CLASSES, **TINY_M3).PLAYERS}
    assert all(isinstance(o, keras.optimizers.SGD) for o in optimizers.values())
    assert float(optimizers["discriminator_optimizer"].learning_rate) == pytest.approx(0.01)
    assert float(paper_optimizers("m1")["autoencoder_optimizer"].momentum) == pytest.approx(0.9)
    assert set(SAHU_SGD["m2"]) == set(build_m2(FEATURES, N_CLASSES, **TINY).PLAYERS)
    # the paper schedule of ADAN is Adam 1e-4 for every player; SGD cannot be asked for it
    adam = paper_optimizers("adan", ("a", "b"))
    assert set(adam) == {"a_optimizer", "b_optimizer"}
    assert all(isinstance(o, keras.optimizers.Adam) for o in adam.values())
    with pytest.raises(ValueError, match="SGD is defined for m1, m2, m3, not 'adan'"):
        training_for("m1", "paper").optimizers("adan", ())


@pytest.mark.slow
def test_m2_feature_discriminator_learns_real_from_decoded():
    keras.utils.set_random_seed(0)
    model = build_m2(FEATURES, N_CLASSES, **TINY)
    model.compile(**adam(model))
    x, y = tiny_data(96)
    before = [w.copy() for w in model.feature_discriminator.get_weights()]
    first = model.evaluate(x, y, verbose=0, return_dict=True)
    model.fit(x, y, batch_size=32, epochs=60, verbose=0)  # two decoder steps per D2 step slow the AE at first
    assert any(not np.allclose(a, b) for a, b in zip(before, model.feature_discriminator.get_weights()))
    last = model.evaluate(x, y, verbose=0, return_dict=True)
    assert np.isfinite(list(last.values())).all()
    assert last["reconstruction_loss"] < first["reconstruction_loss"]
    with pytest.raises(ValueError, match="generator_steps"):
        build_m2(FEATURES, N_CLASSES, generator_steps=0, **TINY)


def test_m3_prior_is_the_code_generator():
    model = build_m3(FEATURES, N_CLASSES, **TINY_M3)
    noise, labels = np.ones((2, 3), "float32"), np.array([0, 2], "int32")
    expected = model.code_generator(np.concatenate([noise, np.eye(N_CLASSES, dtype="float32")[labels]], axis=1))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(model.prior_sample(noise, labels)), keras.ops.convert_to_numpy(expected), atol=1e-6
    )
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(model.synthesize(noise, labels)),
        keras.ops.convert_to_numpy(model.decoder(expected)),
        atol=1e-6,
    )


def _fit_m3(mi_weight):
    keras.utils.set_random_seed(0)
    model = build_m3(FEATURES, N_CLASSES, mi_weight=mi_weight, **TINY_M3)
    model.compile(**adam(model, 3e-3))
    x, y = tiny_data(96)
    auxiliary = [w.copy() for w in model.auxiliary.get_weights()]
    first = model.evaluate(x, y, verbose=0, return_dict=True)
    model.fit(x, y, batch_size=32, epochs=40, verbose=0)
    changed = any(not np.allclose(a, b) for a, b in zip(auxiliary, model.auxiliary.get_weights()))
    return model, first, model.evaluate(x, y, verbose=0, return_dict=True), changed


@pytest.mark.slow
def test_m3_mutual_information_term_trains_the_auxiliary_head_and_the_generator():
    model, first, last, changed = _fit_m3(mi_weight=1.0)
    assert changed and first["mutual_information_loss"] == pytest.approx(np.log(N_CLASSES), abs=0.3)
    assert last["mutual_information_loss"] < 0.5 * first["mutual_information_loss"]
    # the auxiliary head recognises the condition c of generated samples: I(c; G(z, c)) > 0
    labels = np.repeat(np.arange(N_CLASSES), 30).astype("int32")
    _, hidden = model.feature_discriminator(
        np.concatenate([model.generate(labels, seed=5), np.eye(N_CLASSES, dtype="float32")[labels]], axis=1)
    )
    predicted = np.argmax(keras.ops.convert_to_numpy(model.auxiliary(hidden)), axis=1)
    assert (predicted == labels).mean() > 0.8

    # λ = 0: the auxiliary head gets no gradient at all (its only loss is the MI term)
    _, _, _, changed = _fit_m3(mi_weight=0.0)
    assert not changed
