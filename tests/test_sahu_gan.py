"""M1 / M2 of Sahu et al. 2018: shared scheme checks, the papers' layer sizes, D2's update."""

import numpy as np

from serzoo.models.sahu_gan import build_m1, build_m2
from tests.scheme_checks import FEATURES, N_CLASSES, check_scheme, tiny_data

TINY = {"widths": (16, 8, 4), "seed": 1}


def units(network):
    return [layer.units for layer in network.layers if hasattr(layer, "units")]


def test_m1_and_m2_pass_the_scheme_checks(tmp_path):
    check_scheme(build_m1(FEATURES, N_CLASSES, **TINY), tmp_path)
    check_scheme(build_m2(FEATURES, N_CLASSES, **TINY), tmp_path)


def test_paper_layer_sizes():
    m2 = build_m2(1582, 4)
    assert units(m2.encoder) == [1000, 500, 100, 2] and units(m2.decoder) == [100, 500, 1000, 1582]
    assert m2.discriminator.input_shape == (None, 6) and units(m2.discriminator) == [1000, 500, 100, 1]
    assert m2.feature_discriminator.input_shape == (None, 1586)
    assert units(m2.feature_discriminator) == [1000, 500, 100, 1]
    assert units(build_m1(1582, 4).encoder) == [1000, 500, 100, 2]


def test_m2_feature_discriminator_learns_real_from_decoded():
    import keras

    keras.utils.set_random_seed(0)
    model = build_m2(FEATURES, N_CLASSES, **TINY)
    model.compile(**{f"{p}_optimizer": keras.optimizers.Adam(1e-3) for p in model.PLAYERS})
    x, y = tiny_data(96)
    before = [w.copy() for w in model.feature_discriminator.get_weights()]
    first = model.evaluate(x, y, verbose=0, return_dict=True)
    model.fit(x, y, batch_size=32, epochs=20, verbose=0)
    assert any(not np.allclose(a, b) for a, b in zip(before, model.feature_discriminator.get_weights()))
    last = model.evaluate(x, y, verbose=0, return_dict=True)
    assert np.isfinite(list(last.values())).all()
    assert last["reconstruction_loss"] < first["reconstruction_loss"]
