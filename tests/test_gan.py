"""GAN / cGAN baselines: shared scheme checks and a learning sanity check."""

import keras
import numpy as np
import pytest

from serzoo.models.gan import build_gan
from tests.scheme_checks import FEATURES, N_CLASSES, tiny_data


@pytest.mark.slow
def test_cgan_learns_the_class_conditional_structure():
    x, y = tiny_data(192)
    x = x + 3.0 * np.eye(N_CLASSES, FEATURES)[y]  # class k is shifted by 5 along axis k
    keras.utils.set_random_seed(0)
    model = build_gan(FEATURES, N_CLASSES, noise_dim=4, generator_width=64, discriminator_width=64, seed=0)
    model.compile(
        discriminator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
    )
    labels = np.repeat(np.arange(N_CLASSES), 200).astype("int32")
    real_means = np.stack([x[y == k].mean(axis=0) for k in range(N_CLASSES)])

    def nearest_mean_accuracy():
        fake = model.generate(labels, seed=1)
        distances = ((fake[:, None, :] - real_means[None]) ** 2).sum(-1)
        return np.mean(distances.argmin(axis=1) == labels)

    assert nearest_mean_accuracy() < 0.6
    model.fit(x, y, batch_size=32, epochs=200, verbose=0)
    assert nearest_mean_accuracy() > 0.9
