"""Augmentation methods: one interface, label-faithful samples, errors."""

import numpy as np
import pytest

from serzoo import augmenters as augment
from tests.scheme_checks import FEATURES, N_CLASSES, tiny_data


@pytest.mark.parametrize("method", ["duplicate", "noise", "smote"])
def test_non_neural_methods_sample_requested_labels(method):
    x, y = tiny_data()
    aug = augment.make_augmenter(method).fit(x, y, N_CLASSES)
    x_syn, y_syn = augment.augmented_sets(aug, y, k=3, seed=5)
    assert x_syn.shape == (3 * len(y), FEATURES) and np.array_equal(y_syn, np.tile(y, 3))
    np.testing.assert_array_equal(x_syn, augment.augmented_sets(aug, y, k=3, seed=5)[0])
    means = np.stack([x[y == k].mean(0) for k in range(N_CLASSES)])
    nearest = ((x_syn[:, None] - means[None]) ** 2).sum(-1).argmin(1)
    assert np.mean(nearest == y_syn) > 0.85  # samples stay in their class's region


def test_duplicate_copies_and_noise_perturbs_and_smote_interpolates():
    x, y = tiny_data()
    labels = np.zeros(20, np.int64)
    dup = augment.make_augmenter("duplicate").fit(x, y, N_CLASSES).sample(labels)
    assert all(any(np.array_equal(row, real) for real in x[y == 0]) for row in dup)
    noisy = augment.make_augmenter("noise", sigma=0.5).fit(x, y, N_CLASSES).sample(labels)
    assert not any(np.allclose(noisy[0], real) for real in x)
    smote = augment.make_augmenter("smote").fit(x, y, N_CLASSES).sample(labels)
    lo, hi = x[y == 0].min(0), x[y == 0].max(0)
    assert np.all((smote >= lo - 1e-5) & (smote <= hi + 1e-5))  # convex combinations of class 0


@pytest.mark.parametrize("method", ["gan", "cgan", "aae", "m1", "m2", "m3", "adan", "wadan"])
def test_scheme_augmenters(method):
    x, y = tiny_data()
    small = {"gan": dict(noise_dim=4, generator_width=16, discriminator_width=8),
             "cgan": dict(noise_dim=4, generator_width=16, discriminator_width=8),
             "adan": dict(latent_dim=4, noise_dim=4, autoencoder_width=16, width=8),
             "wadan": dict(latent_dim=4, noise_dim=4, autoencoder_width=16, width=8),
             "aae": dict(width=16), "m1": dict(widths=(16, 8)), "m2": dict(widths=(16, 8)),
             "m3": dict(widths=(16, 8), discriminator_widths=(16, 8), code_dim=4, noise_dim=3,
                        code_generator_width=8, auxiliary_width=8)}[method]
    aug = augment.make_augmenter(method, epochs=2, **small).fit(x, y, N_CLASSES)
    x_syn, y_syn = augment.augmented_sets(aug, y, k=2, seed=1)
    assert x_syn.shape == (2 * len(y), FEATURES) and np.isfinite(x_syn).all()
    assert len(aug.models_) == N_CLASSES and len({id(m) for m in aug.models_.values()}) == 1
    assert all(np.isfinite(v).all() for v in aug.history_.values())


def test_errors():
    x, y = tiny_data()
    with pytest.raises(ValueError, match="unknown augmentation method 'mixup'"):
        augment.make_augmenter("mixup")
    aug = augment.make_augmenter("duplicate").fit(x[y < 2], y[y < 2], N_CLASSES)
    with pytest.raises(ValueError, match="cannot sample classes \\[2\\]"):
        aug.sample(np.array([0, 2]))
    with pytest.raises(ValueError, match="k must be"):
        augment.augmented_sets(aug, y, -1)
    with pytest.raises(ValueError, match="expected x"):
        aug.fit(x[:, 0], y, N_CLASSES)
