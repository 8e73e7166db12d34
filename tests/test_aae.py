"""AAE of Sahu et al. 2017: shared scheme checks, the GMM prior, what each phase trains."""

import numpy as np
import pytest

from serzoo.models.aae import build_aae
from serzoo.priors import class_component_means
from tests.scheme_checks import FEATURES, N_CLASSES, tiny_data


def tiny_aae(**options):
    return build_aae(FEATURES, N_CLASSES, width=16, seed=1, **options)


def test_paper_architecture():
    model = build_aae(1582, 4)
    widths = {
        name: [layer.units for layer in getattr(model, name).layers if hasattr(layer, "units")]
        for name in model.NETWORKS
    }
    assert widths == {"encoder": [1000, 1000, 2], "decoder": [1000, 1000, 1582], "discriminator": [1000, 1000, 1]}
    assert model.discriminator.input_shape == (None, 6)  # code ⊕ one-hot label
    assert sum(layer.__class__.__name__ == "Dropout" for layer in model.encoder.layers) == 2


@pytest.mark.parametrize("n_classes, dim", [(7, 2), (4, 2), (4, 256), (3, 1)])
def test_component_means_are_evenly_spread(n_classes, dim):
    means = class_component_means(n_classes, dim, spread=5.0)
    assert means.shape == (n_classes, dim)
    if dim > 1:
        np.testing.assert_allclose(np.linalg.norm(means, axis=1), 5.0, rtol=1e-6)
    distances = np.linalg.norm(means[:, None] - means[None], axis=-1)[~np.eye(n_classes, dtype=bool)]
    expected_nearest = {(7, 2): 10 * np.sin(np.pi / 7), (4, 2): 5 * np.sqrt(2), (4, 256): 5 * np.sqrt(2), (3, 1): 5.0}[
        (n_classes, dim)
    ]
    np.testing.assert_allclose(distances.min(), expected_nearest, rtol=1e-5)


def test_component_means_reject_bad_sizes():
    with pytest.raises(ValueError, match="need n_classes >= 1 and dim >= 1"):
        class_component_means(0, 2)


def test_prior_samples_come_from_the_labels_component():
    model = tiny_aae(prior_spread=10.0, prior_std=0.5)
    labels = np.repeat(np.arange(N_CLASSES), 400).astype("int32")
    samples = np.asarray(model.prior_sample(model.noise(labels.size, model.code_dim, seed=0), labels))
    means = class_component_means(N_CLASSES, 2, 10.0)
    for k in range(N_CLASSES):
        np.testing.assert_allclose(samples[labels == k].mean(0), means[k], atol=0.1)
        np.testing.assert_allclose(samples[labels == k].std(0), 0.5, atol=0.05)


@pytest.mark.slow
def test_training_pulls_codes_to_their_class_components():
    import keras

    keras.utils.set_random_seed(0)
    model = tiny_aae(dropout=0.0)
    x, y = tiny_data(96)
    model.compile(**{f"{p}_optimizer": keras.optimizers.Adam(2e-3) for p in model.PLAYERS})
    means = class_component_means(N_CLASSES, 2)

    def nearest_component_accuracy():
        codes = model.encode(x).numpy()
        return np.mean(np.linalg.norm(codes[:, None] - means[None], axis=-1).argmin(1) == y)

    before = model.evaluate(x, y, verbose=0, return_dict=True)
    assert nearest_component_accuracy() < 0.5  # chance is 1/3
    model.fit(x, y, batch_size=32, epochs=300, verbose=0)
    after = model.evaluate(x, y, verbose=0, return_dict=True)
    assert after["reconstruction_loss"] < 0.8 * before["reconstruction_loss"]
    # The label-conditioned prior organises the code space (the classes overlap: 0.80 measured).
    assert nearest_component_accuracy() > 0.7
