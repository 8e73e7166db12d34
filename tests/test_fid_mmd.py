"""Generator-quality metrics on data whose answer is known: FID (closed form), MMD, per class."""

import numpy as np
import pytest

from serzoo.metrics import frechet_distance, mmd_rbf, mmd_rbf_per_class


def gaussian(n, dim, mean=0.0, std=1.0, seed=0):
    return np.random.default_rng(seed).normal(mean, std, (n, dim))


def test_frechet_distance_of_a_set_with_itself_is_zero():
    a = gaussian(500, 6)
    assert abs(frechet_distance(a, a)) < 1e-6


def test_frechet_distance_of_shifted_gaussians_is_the_squared_shift():
    a, b = gaussian(20000, 4, seed=0), gaussian(20000, 4, mean=1.5, seed=1)
    np.testing.assert_allclose(frechet_distance(a, b), 4 * 1.5**2, rtol=0.03)


def test_frechet_distance_of_scaled_gaussians_matches_the_closed_form():
    # N(0, I) vs N(0, 4I) in d dims: tr(I + 4I − 2·2I) = d
    a, b = gaussian(20000, 3, seed=0), gaussian(20000, 3, std=2.0, seed=1)
    np.testing.assert_allclose(frechet_distance(a, b), 3.0, rtol=0.05)


def test_frechet_distance_rejects_bad_shapes():
    with pytest.raises(ValueError, match="two \\[n >= 2, dim\\] arrays"):
        frechet_distance(np.zeros((5, 3)), np.zeros((5, 4)))


def test_mmd_is_zero_for_identical_sets_and_grows_with_a_shift():
    a = gaussian(300, 5)
    assert abs(mmd_rbf(a, a)) < 1e-9
    assert mmd_rbf(a, gaussian(300, 5, mean=0.5, seed=1)) < mmd_rbf(a, gaussian(300, 5, mean=2.0, seed=1))


def test_mmd_per_class_finds_the_class_that_differs():
    a = np.concatenate([gaussian(200, 3, seed=0), gaussian(200, 3, mean=4.0, seed=1)])
    labels = np.repeat([0, 1], 200)
    b = np.concatenate([gaussian(200, 3, seed=2), gaussian(200, 3, mean=7.0, seed=3)])
    per_class = mmd_rbf_per_class(a, labels, b, labels)
    assert set(per_class) == {0, 1} and per_class[1] > 10 * per_class[0]


def test_fid_scorer_embeds_with_the_third_hidden_layer_and_ranks_sets():
    from serzoo.quality import FidScorer

    rng = np.random.default_rng(0)
    y = np.arange(300) % 3
    x = rng.normal(size=(300, 8)) + 3 * np.eye(3, 8)[y]
    scorer = FidScorer(n_classes=3, epochs=10).fit(x, y)
    assert scorer.embed(x).shape == (300, 64)
    same = x + rng.normal(scale=0.05, size=x.shape)
    shuffled_labels = rng.normal(size=(300, 8)) + 3 * np.eye(3, 8)[rng.permutation(y)]
    far = rng.normal(size=(300, 8)) * 3
    assert scorer.score(x, same) < scorer.score(x, far)
    assert scorer.score(x, shuffled_labels) < scorer.score(x, far)


@pytest.mark.slow
def test_generator_quality_tells_faithful_from_mislabelled_synthetic_data():
    from serzoo.quality import generator_quality

    rng = np.random.default_rng(0)
    y = np.arange(240) % 3
    x = rng.normal(size=(240, 8)) + 3 * np.eye(3, 8)[y]
    faithful = rng.normal(size=(240, 8)) + 3 * np.eye(3, 8)[y]
    good = generator_quality(x, y, faithful, y, 3, fid=True)
    bad = generator_quality(x, y, faithful, rng.permutation(y), 3, fid=True)
    assert good["trts_uar"] > 0.9 and good["tstr_uar"] > 0.9
    assert bad["trts_uar"] < 0.5 and bad["tstr_uar"] < 0.5
    assert good["mmd"] < 0.05 and good["fid"] < 1.0
    cheap = generator_quality(x, y, faithful, y, 3, tstr=False)  # no SVM trained on the synthetic set
    assert cheap == {"mmd": good["mmd"], "trts_uar": good["trts_uar"]}
