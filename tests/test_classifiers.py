"""Baseline classifiers: class weights, learning above chance, seeded reproducibility."""

import numpy as np
import pytest

from serzoo.data import iter_folds
from serzoo.experiments.loso import evaluate_classifier
from serzoo.models import classifiers


def test_class_weights_are_n_max_over_n_k():
    weights = classifiers.balanced_class_weights(np.array([0, 0, 0, 0, 1, 1, 2]), 4)
    assert weights == {0: 1.0, 1: 2.0, 2: 4.0, 3: 0.0}


def test_unknown_classifier():
    with pytest.raises(ValueError, match="unknown classifier 'rf'"):
        classifiers.make_classifier("rf")


def test_svm_loso_on_the_synthetic_corpus_beats_chance(synth_is11):
    result = evaluate_classifier(synth_is11, "svm", max_folds=3, progress=False)
    assert len(result["folds"]) == 3
    assert result["overall"]["n"] == 84
    assert result["overall"]["uar"] > 0.4  # chance is 1/7
    assert np.array(result["overall"]["confusion"]).sum() == 84


def test_dnn_learns_and_is_reproducible_for_a_seed(synth_is11):
    fold = next(iter_folds(synth_is11, max_folds=1, progress=False))
    runs = [
        classifiers.DnnClassifier(epochs=30, learning_rate=1e-3, seed=seed)
        .fit(fold.x_train, fold.y_train, 7).predict_proba(fold.x_test)
        for seed in (3, 3, 4)
    ]
    np.testing.assert_allclose(runs[0], runs[1], atol=1e-6)
    assert not np.allclose(runs[0], runs[2])
    one_step_per_call = classifiers.DnnClassifier(epochs=30, learning_rate=1e-3, seed=3, steps_per_execution=1)
    np.testing.assert_allclose(  # many steps per compiled call: the same training, only faster
        one_step_per_call.fit(fold.x_train, fold.y_train, 7).predict_proba(fold.x_test), runs[0], atol=1e-6)
    assert np.mean(runs[0].argmax(axis=1) == fold.y_test) > 0.3
    net = classifiers.DnnClassifier(epochs=1).fit(fold.x_train, fold.y_train, 7).model_
    assert [layer.units for layer in net.layers if hasattr(layer, "units")] == [100, 100, 7]
