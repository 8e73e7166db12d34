"""``augment``'s one return type (:class:`serzoo.augmenters.Augmented`), the imbalanced-learn-style ``fit_resample``,
and the scale check between the user's features and an exported generator's (issue 34, items 1 and 4)."""

import numpy as np
import pytest

from tests.scheme_checks import FEATURES, N_CLASSES, tiny_data

#: A "raw openSMILE" scale for the tiny data: large offsets and spreads per feature, as raw functionals have.
RAW_SCALE = np.geomspace(1.0, 1e4, FEATURES).astype("float32")


def _raw(x):
    return x * RAW_SCALE + 100 * RAW_SCALE


@pytest.fixture(scope="module")
def raw_export(tmp_path_factory):
    """An untrained tiny ADAN exported from raw-scale features (as ``serzoo export`` does with openSMILE's)."""
    from serzoo.data import Normalizer
    from serzoo.export import export_generator
    from serzoo.models.adan import build_adan

    scheme = build_adan(FEATURES, N_CLASSES, latent_dim=4, noise_dim=4, autoencoder_width=16, width=8)
    return export_generator(
        scheme,
        Normalizer("global").fit(_raw(tiny_data()[0])),
        tmp_path_factory.mktemp("raw_export") / "adan" / "1",
        manifest={"dataset": "tiny", "feature_set": "tiny", "class_names": ["a", "b", "c"]},
    )


def test_augment_returns_one_type_that_unpacks_as_documented(tiny_export):
    from serzoo.augmenters import Augmented, augment

    x, y = tiny_data()
    plain = augment(x, y, "smote", k=2)
    assert isinstance(plain, Augmented)
    x_aug, y_aug = plain
    assert x_aug is plain.x and y_aug is plain.y and len(y_aug) == 3 * len(y)
    assert np.array_equal(plain.synthetic, np.arange(len(y_aug)) >= len(y)) and np.all(plain.sample_weight == 1)
    weighted = augment(x, y, "smote", k=1, recipe={"synthetic_weight": 0.5})
    assert isinstance(weighted, Augmented) and len(weighted) == 3
    _, _, weight = weighted
    assert weight is weighted.sample_weight and np.allclose(weight[weighted.synthetic], 0.5)
    exported = augment(x, y, str(tiny_export), k=1)
    assert isinstance(exported, Augmented) and len(exported) == 2
    assert isinstance(augment(x, y, "smote", k=0), Augmented)


def test_fit_resample_returns_x_and_y_like_imbalanced_learn():
    from serzoo.augmenters import Resampler

    x, y = tiny_data()
    sampler = Resampler("smote", k=2, seed=3)
    x_res, y_res = sampler.fit_resample(x, y)
    assert x_res.shape == (3 * len(y), FEATURES) and np.array_equal(y_res[: len(y)], y)
    assert np.array_equal(sampler.synthetic_, np.arange(len(y_res)) >= len(y))
    x_again, _ = Resampler("smote", k=2, seed=3).fit_resample(x, y)
    np.testing.assert_array_equal(x_res, x_again)
    with pytest.raises(ValueError, match="sample_weight"):
        Resampler("smote", k=1, recipe={"synthetic_weight": 0.5}).fit_resample(x, y)


def test_normalised_features_with_a_raw_scale_generator_are_refused_naming_the_fix(raw_export):
    from serzoo.augmenters import augment

    x, y = tiny_data()
    with pytest.raises(ValueError, match=r"z-normalised.*raw features"):
        augment(x, y, str(raw_export), k=1)
    x_aug, y_aug = augment(_raw(x), y, str(raw_export), k=1)  # raw features: the generator's own scale
    assert len(y_aug) == 2 * len(y)
    synthetic = x_aug[len(y) :]
    assert np.abs(np.median(synthetic, axis=0) - np.median(_raw(x), axis=0)).max() < 10 * RAW_SCALE.max()


def test_raw_features_with_a_generator_of_normalised_features_are_refused(tiny_export):
    from serzoo.augmenters import augment

    x, y = tiny_data()
    with pytest.raises(ValueError, match="scale"):
        augment(_raw(x), y, str(tiny_export), k=1)
