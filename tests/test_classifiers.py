"""Baseline classifiers: class weights, learning above chance, seeded reproducibility, the compiled DNN."""

import logging
import warnings

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


@pytest.mark.slow
def test_dnn_learns_and_is_reproducible_for_a_seed(synth_is11):
    fold = next(iter_folds(synth_is11, max_folds=1, progress=False))
    runs = [
        classifiers.DnnClassifier(epochs=30, learning_rate=1e-3, seed=seed)
        .fit(fold.x_train, fold.y_train, 7)
        .predict_proba(fold.x_test)
        for seed in (3, 3, 4)
    ]
    np.testing.assert_allclose(runs[0], runs[1], atol=1e-6)
    assert not np.allclose(runs[0], runs[2])
    keras_runs = [  # Model.fit with many steps per compiled call: the same training, only faster
        classifiers.DnnClassifier(epochs=30, learning_rate=1e-3, seed=3, steps_per_execution=spe, engine="keras")
        .fit(fold.x_train, fold.y_train, 7)
        .predict_proba(fold.x_test)
        for spe in (1, 32)
    ]
    np.testing.assert_allclose(keras_runs[0], keras_runs[1], atol=1e-6)
    assert np.mean(runs[0].argmax(axis=1) == fold.y_test) > 0.3
    net = classifiers.DnnClassifier(epochs=1).fit(fold.x_train, fold.y_train, 7).model_
    assert [layer.units for layer in net.layers if hasattr(layer, "units")] == [100, 100, 7]


def _tiny_imbalanced(n=203, d=50, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)).astype("float32"), rng.choice(3, n, p=[0.6, 0.3, 0.1])


def test_compiled_dnn_makes_the_updates_of_keras_fit():
    # 203 = 6 × 32 + 11: a partial last batch; class weights 1 / 2 / 6 or so; L2 and rate large
    # enough that dropping either moves the weights far beyond the tolerance.
    x, y = _tiny_imbalanced()
    options = dict(hidden=(8, 8), l2=1e-2, learning_rate=1e-2, epochs=3, seed=1)
    compiled = classifiers.DnnClassifier(**options).fit(x, y, 3).model_.get_weights()
    reference = classifiers.DnnClassifier(**options, engine="keras")
    model = reference.build_model(x.shape[1], 3)  # the same seeded initial weights
    initial = model.get_weights()
    for order in reference.epoch_orders(len(x)):  # the same batches in the same order, Keras' own step
        model.fit(
            x[order],
            y[order],
            epochs=1,
            batch_size=32,
            shuffle=False,
            verbose=0,
            class_weight=classifiers.balanced_class_weights(y, 3),
        )
    keras_fit = model.get_weights()
    for got, want, start in zip(compiled, keras_fit, initial):
        assert np.abs(want - start).max() > 0.05  # the weights moved
        np.testing.assert_allclose(got, want, atol=2e-6, rtol=0)


@pytest.mark.slow
def test_compiled_dnn_traces_once_for_many_data_sizes(caplog):
    x, y = _tiny_imbalanced(n=300, d=40)
    options = dict(hidden=(8,), epochs=2, seed=0)
    trainer = classifiers.DnnClassifier(**options)._trainer(x.shape[1], 3)
    traces = trainer.traces
    with caplog.at_level(logging.WARNING, logger="tensorflow"):
        logging.getLogger("tensorflow").addHandler(caplog.handler)  # TF's logger does not propagate
        try:
            for n in (300, 170, 233, 300, 97, 251, 140):  # like folds' unaugmented and augmented sets
                clf = classifiers.DnnClassifier(**options).fit(x[:n], y[:n], 3)
                assert clf.predict_proba(x[:5]).shape == (5, 3)
        finally:
            logging.getLogger("tensorflow").removeHandler(caplog.handler)
    assert trainer.traces - traces <= 1  # one trace for the signature, none per data size or model
    assert not [r for r in caplog.records if "retracing" in r.getMessage()]


def test_unknown_dnn_engine():
    with pytest.raises(ValueError, match="unknown engine='jax'"):
        classifiers.DnnClassifier(engine="jax")


def test_svm_iteration_cap_warns_when_it_stops_early():
    """Issue 35 case 24: a linear SVM on far-out rows ran over 15 minutes inside libsvm with no limit or progress.
    libsvm now stops at an iteration cap and says so; normal data never reaches it."""
    from sklearn.exceptions import ConvergenceWarning

    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 20))
    y = np.arange(120) % 3
    far = np.concatenate([x, 1e4 * rng.normal(size=(120, 20))]), np.concatenate([y, rng.permutation(y)])
    svm = classifiers.make_classifier("svm", max_iter=5)
    with pytest.warns(ConvergenceWarning, match="stopped at its cap of 5 iterations before converging \\(240 rows"):
        svm.fit(*far, 3)
    assert svm.stopped_early_ and svm.predict(x).shape == (120,)
    default = classifiers.make_classifier("svm")
    assert default.max_iter == classifiers.SVM_MAX_ITER
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning at all on ordinary data
        assert not default.fit(x, y, 3).stopped_early_
