"""UAR / WA / confusion matrix against hand-computed values."""

import numpy as np
import pytest

from serzoo import metrics


def test_hand_computed_example():
    y_true = [0, 0, 0, 0, 1, 1, 2]
    y_pred = [0, 0, 0, 1, 1, 0, 1]
    # recalls: class0 3/4, class1 1/2, class2 0/1 -> UAR 5/12; WA 4/7
    assert metrics.unweighted_average_recall(y_true, y_pred, 3) == pytest.approx(5 / 12)
    assert metrics.weighted_accuracy(y_true, y_pred) == pytest.approx(4 / 7)
    np.testing.assert_array_equal(metrics.confusion_matrix(y_true, y_pred, 3), [[3, 1, 0], [1, 1, 0], [0, 1, 0]])


def test_uar_ignores_classes_absent_from_the_test_set():
    # class 2 never occurs in y_true (a test speaker without disgust): UAR over classes 0 and 1
    assert metrics.unweighted_average_recall([0, 1, 1], [0, 1, 2], 3) == pytest.approx((1 + 0.5) / 2)


def test_summary_is_json_ready():
    summary = metrics.classification_summary(np.array([0, 1]), np.array([0, 0]), 2)
    assert summary == {"uar": 0.5, "wa": 0.5, "confusion": [[1, 0], [1, 0]], "n": 2}


def test_errors():
    with pytest.raises(ValueError, match="outside"):
        metrics.confusion_matrix([0, 3], [0, 1], 3)
    with pytest.raises(ValueError, match="shape"):
        metrics.confusion_matrix([0, 1], [0], 2)
    with pytest.raises(ValueError, match="empty"):
        metrics.weighted_accuracy([], [])


def test_mmd_of_identical_sets_is_zero_and_grows_with_a_shift():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5))
    assert metrics.mmd_rbf(x, x) == pytest.approx(0.0, abs=1e-9)
    near = metrics.mmd_rbf(x, rng.normal(size=(200, 5)))
    far = metrics.mmd_rbf(x, rng.normal(size=(200, 5)) + 3.0)
    assert 0 <= near < far


def test_mmd_hand_computed_single_points():
    # one point each, distance² = 4, σ = 1 and 2: k = exp(-2) + exp(-0.5); MMD² = 2·2 - 2k
    value = metrics.mmd_rbf([[0.0, 0.0]], [[2.0, 0.0]], sigmas=(1.0, 2.0))
    assert value == pytest.approx(4 - 2 * (np.exp(-2) + np.exp(-0.5)))
    with pytest.raises(ValueError, match="mmd_rbf needs"):
        metrics.mmd_rbf(np.zeros((2, 3)), np.zeros((2, 4)))


def test_spread_ratio_hand_computed():
    x_real = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 0.0], [12.0, 0.0]])  # class spreads 1 and 1
    y = np.array([0, 0, 1, 1])
    x_syn = np.array([[0.5, 0.0], [1.5, 0.0], [11.0, 1.0], [11.0, 1.0]])  # spreads 0.5 and 0
    ratio = metrics.spread_ratio(x_real, y, x_syn, y)
    assert ratio["within_class"] == pytest.approx(0.25)  # (0.5 + 0) / 2 over (1 + 1) / 2
    assert ratio["centroid_offset"] == pytest.approx(0.5)  # offsets 0 and 1, over 1
    # variances: real 26 + 0; synthetic (5.5² + 4.5² + 5² + 5²) / 4 = 25.125 plus 0.25 in the 2nd feature
    assert ratio["total_variance"] == pytest.approx(25.375 / 26.0)
    with pytest.raises(ValueError, match="share no class"):
        metrics.spread_ratio(x_real, y, x_syn, y + 2)
