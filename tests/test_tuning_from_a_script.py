"""KerasTuner from your own script (issue 34, item 3): a hypermodel without folds stops the search at once,
``search()`` arguments are refused rather than ignored, and ``get_best_models`` names what to do instead."""

import keras_tuner as kt
import pytest

from serzoo.tuning.hypermodel import AugmentationHyperModel
from serzoo.tuning.objectives import kt_objective
from tests.scheme_checks import TINY_OPTIONS


def _hypermodel(**kwargs):
    return AugmentationHyperModel("wadan", input_dim=12, n_classes=3, fixed_options=TINY_OPTIONS["wadan"], **kwargs)


@pytest.mark.parametrize("tuner_class", [kt.RandomSearch, kt.BayesianOptimization])
def test_a_search_without_folds_stops_before_its_first_trial(tuner_class, tmp_path):
    tuner = tuner_class(_hypermodel(), objective=kt_objective("utility"), max_trials=3, directory=tmp_path)
    with pytest.raises(kt.errors.FatalValueError, match="folds="):
        tuner.search()
    assert len(tuner.oracle.trials) == 1  # stopped at the first, not three failed trials


@pytest.mark.parametrize("own", [True, False], ids=["serzoo_tuner", "keras_tuner"])
def test_search_arguments_are_refused_not_ignored(own, tmp_path):
    from serzoo.tuning import tuners

    tuner_class = tuners.RandomSearch if own else kt.RandomSearch
    tuner = tuner_class(
        _hypermodel(folds=object()), objective=kt_objective("utility"), max_trials=2, directory=tmp_path
    )
    with pytest.raises(kt.errors.FatalTypeError, match=r"epochs=.*no arguments"):
        tuner.search([[0.0]], [0], epochs=5)


def test_get_best_models_names_the_alternative(tmp_path):
    from serzoo.tuning import tuners

    tuner = tuners.RandomSearch(_hypermodel(), objective=kt_objective("utility"), max_trials=1, directory=tmp_path)
    with pytest.raises(ValueError, match=r"get_best_hyperparameters.*tuned_augmenter"):
        tuner.get_best_models()
