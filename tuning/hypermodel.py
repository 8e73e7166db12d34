"""One ``keras_tuner.HyperModel`` for every registered scheme (and for the classifier alone).

``build(hp)`` declares the space (:mod:`serzoo.tuning.space`) and returns the scheme's model compiled with this
trial's per-player optimizers, as KerasTuner expects. ``fit(hp, model, ...)`` is the trial: it turns the
hyperparameters into a :class:`serzoo.hparams.TunedSetting` and measures it by inner leave-one-speaker-out on the
development speakers (:func:`serzoo.tuning.objectives.evaluate_trial`), training a fresh generator per inner fold
(KerasTuner's own model is not reused: each fold needs its own). It returns a dict of named measures, the
objective among them.

From your own script (``examples/keras_user.py`` runs this): the trials are measured on ``folds``, so
``search()`` takes no data (arguments given to it are refused), and the best setting is retrained from its
hyperparameters (KerasTuner's ``get_best_models`` has no model to load: each inner fold trains its own):

    >>> folds = InnerFolds(dev_corpus)                                                  # doctest: +SKIP
    >>> hypermodel = AugmentationHyperModel("wadan", input_dim=4368, n_classes=7, folds=folds)  # doctest: +SKIP
    >>> tuner = RandomSearch(hypermodel, objective=kt_objective("utility"), max_trials=30)  # doctest: +SKIP
    >>> tuner.search()                                                                   # doctest: +SKIP
    >>> setting = hypermodel.setting(tuner.get_best_hyperparameters()[0])               # doctest: +SKIP
    >>> augmenter = tuned_augmenter(setting).fit(x_train, y_train, n_classes=7)          # doctest: +SKIP

(``InnerFolds``, ``kt_objective``: :mod:`serzoo.tuning.objectives`; ``RandomSearch``: :mod:`serzoo.tuning.tuners`,
or KerasTuner's own; ``tuned_augmenter``: :mod:`serzoo.augmenters`.)
"""

from __future__ import annotations

import keras_tuner as kt

from serzoo.tuning import space
from serzoo.tuning.objectives import evaluate_trial


class AugmentationHyperModel(kt.HyperModel):
    """Searches ``scheme`` (a registered scheme name, or None for the classifier alone).

    Args:
        scheme: registered scheme; None tunes ``classifier`` by itself (objective ``uar``).
        input_dim, n_classes: of the features the generator will see.
        folds: the development corpus's :class:`serzoo.tuning.objectives.InnerFolds` (needed by ``fit`` only).
        objective: a name of :data:`serzoo.tuning.objectives.OBJECTIVES`.
        classifier: ``dnn`` or ``svm``, the classifier of ``utility``/``tstr``/``uar``.
        tune_classifier: also search the classifier's knobs (:data:`serzoo.tuning.space.CLASSIFIER_KNOBS`).
        tune_recipe: also search how the synthetic rows enter the classifier
            (:func:`serzoo.tuning.space.declare_recipe`).
        k: synthetic sets added for ``utility``; None searches it among :data:`serzoo.tuning.space.K_CHOICES`.
        epochs: fixed generator epochs; None searches them, unless ``epochs_from_budget`` (Hyperband: the
            tuner's budget ``tuner/epochs`` is the generator's epochs).
        base: the :class:`serzoo.schedules.Training` the search starts from (default rates, batch size).
        fixed_options: builder options held fixed, not searched (e.g. tiny networks in tests).
        classifier_options: classifier field overrides held fixed (searched ones take precedence).
    """

    def __init__(
        self,
        scheme,
        *,
        input_dim: int,
        n_classes: int,
        folds=None,
        objective: str = "utility",
        classifier: str = "dnn",
        tune_classifier: bool = False,
        tune_recipe: bool = False,
        k: int | None = 10,
        epochs: int | None = None,
        epochs_from_budget: bool = False,
        base=None,
        fixed_options: dict | None = None,
        classifier_options: dict | None = None,
        name=None,
    ):
        from serzoo.models import check_generator
        from serzoo.schedules import training_for

        super().__init__(name=name or f"{scheme or classifier}_search", tunable=True)
        self.spec = check_generator(scheme, "a search (serzoo tune)") if scheme else None
        self.input_dim, self.n_classes, self.folds = int(input_dim), int(n_classes), folds
        self.objective, self.classifier, self.tune_classifier = objective, classifier, tune_classifier
        self.k, self.epochs, self.fixed_options = k, epochs, dict(fixed_options or {})
        self.epochs_from_budget, self.tune_recipe = epochs_from_budget, tune_recipe
        self.classifier_options = dict(classifier_options or {})
        self.base = base or (training_for(scheme) if scheme else None)
        if self.spec is None and not tune_classifier:
            raise ValueError("--scheme none tunes the classifier alone: add --tune-classifier")

    # ------------------------------------------------------------------ space
    def build(self, hp):
        """Declare this trial's hyperparameters; return the scheme compiled with them (or the DNN)."""
        if self.tune_classifier:
            classifier_options = space.declare_classifier(hp, self.classifier)
        if self.spec is None:
            from serzoo.models.classifiers import make_classifier

            classifier = make_classifier(self.classifier, **classifier_options)
            return classifier.build_model(self.input_dim, self.n_classes) if self.classifier == "dnn" else classifier
        options = {**space.declare_scheme(hp, self.spec, self.fixed_options), **self.fixed_options}
        if self.epochs is None and not self.epochs_from_budget:
            low, high = space.EPOCH_RANGE
            hp.Int("epochs", low, high, sampling="log", default=min(max(self.base.epochs, low), high))
        if self.k is None:
            hp.Choice("k", list(space.K_CHOICES))
        # KerasTuner's model only carries the trial's space: each inner fold trains its own, weighted by its labels
        uniform = {"class_weights": [1.0] * self.n_classes} if self.spec.class_weights else {}
        model = self.spec.build(self.input_dim, self.n_classes, **uniform, **options)
        rates = space.declare_rates(hp, model.PLAYERS, self.base)
        if self.tune_recipe:
            space.declare_recipe(hp, has_encoder=hasattr(model, "encoder"))
        model.compile(**{f"{player}_optimizer": _adam(rate) for player, rate in rates.items()})
        return model

    def setting(self, hp, *, budget: int | None = None):
        """The :class:`serzoo.hparams.TunedSetting` of a trial's values (``budget``: Hyperband's epochs)."""
        from serzoo.hparams import TunedSetting

        values = hp.values
        clf = dict(self.classifier_options)
        if self.tune_classifier:
            clf.update({name[4:]: value for name, value in values.items() if name.startswith("clf_")})
            if "width" in clf:
                clf["hidden"] = [clf.pop("width")] * 2
        classifier = {self.classifier: clf} if clf else {}
        if self.spec is None:
            return _ClassifierOnly(classifier)
        knob_names = {k.name for k in ((self.spec.latent,) if self.spec.latent else ()) + tuple(self.spec.knobs)}
        options = {name: values[name] for name in knob_names if name in values}
        rates = {name[3:]: float(value) for name, value in values.items() if name.startswith("lr_")}
        epochs = budget or self.epochs or values.get("tuner/epochs") or values["epochs"]
        return TunedSetting(
            self.spec.name,
            {**options, **self.fixed_options},
            epochs=int(epochs),
            learning_rate=self.base.learning_rate,
            batch_size=self.base.batch_size,
            player_rates=rates,
            classifier=classifier,
            k=int(values.get("k", self.k)),
            recipe=space.recipe_from_values(values),
        )

    # ------------------------------------------------------------------ trial
    def fit(self, hp, model=None, *args, seed: int = 0, budget: int | None = None, **kwargs):
        """Measure the trial's setting on the inner folds; returns the measures (a dict with the objective)."""
        if self.folds is None:  # fatal: stops the search at once instead of failing every trial
            raise kt.errors.FatalValueError(
                "AugmentationHyperModel(..., folds=InnerFolds(dev_corpus)): a trial is measured on the development "
                "corpus's inner folds (serzoo.tuning.objectives.InnerFolds); give folds= when you make it"
            )
        refuse_search_arguments(args, kwargs)
        setting = self.setting(hp, budget=budget)
        classifier_options = setting.classifier.get(self.classifier, {})
        k = setting.k if setting.k is not None else 0
        means, per_fold = evaluate_trial(
            self.folds,
            setting if self.spec else None,
            self.objective,
            classifier=self.classifier,
            classifier_options=classifier_options,
            k=k,
            seed=seed,
        )
        self.last_folds = per_fold
        return means


def refuse_search_arguments(args, kwargs) -> None:
    """``tuner.search(x, y, epochs=..., ...)``: a trial trains on the inner folds, so such arguments would be
    ignored; they are refused instead (fatal: the search stops before its first trial). KerasTuner's own
    ``callbacks`` and ``verbose`` pass."""
    kwargs = {k: v for k, v in kwargs.items() if k not in ("callbacks", "verbose")}
    if args or kwargs:
        given = [f"{len(args)} positional argument(s)"] * bool(args) + [f"{k}=" for k in kwargs]
        raise kt.errors.FatalTypeError(
            f"search() got {', '.join(given)}: an AugmentationHyperModel trial trains and measures on its folds= "
            "(the development speakers, inner leave-one-speaker-out), with the trial's epochs; call search() "
            "with no arguments"
        )


class _ClassifierOnly:
    """The setting of a classifier-only search: just the classifier's options."""

    scheme = None
    k = None

    def __init__(self, classifier: dict):
        self.classifier = classifier

    def to_dict(self) -> dict:
        return {"scheme": None, "classifier": self.classifier}


def _adam(rate: float):
    import keras

    return keras.optimizers.Adam(rate)
