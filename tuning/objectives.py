"""What a trial measures, on the development speakers only, by inner leave-one-speaker-out.

Per inner fold the generator trains on the inner training speakers (fold-wise z-norm as everywhere,
:func:`serzoo.data.iter_folds`); then

- ``utility`` (default, maximise): UAR on the inner held-out speaker of the classifier trained on real + k
  synthetic sets, minus the same classifier's UAR trained on the real data alone *with as many optimizer
  updates* (what the synthetic data is worth, the quantity users want). Without the matching, k sets of Yi &
  Mak's recipe give the DNN k + 1 times the updates, and on EmoDB that alone is worth +5 UAR points on the
  inner folds of speakers 03-11 (64.15 % at 100 epochs, 69.14 % at equal updates): samples that carry nothing
  would score as useful. The unmatched difference is recorded as ``utility_unmatched`` (the SVM has no updates
  to match);
- ``tstr`` (maximise): UAR on the inner held-out speaker of the classifier trained on one synthetic set only;
- ``trts`` (maximise): UAR of a linear SVM trained on the real inner training data, labelling one synthetic set;
- ``mmd`` (minimise): MMD between the real inner training data and one synthetic set (Yi & Mak's kernel);
- ``fid`` (minimise): Fréchet distance in the embedding of :class:`serzoo.quality.FidScorer`;
- ``uar`` (maximise): the classifier alone, no generator (tuning the classifier, ``--scheme none``).

The objective of a trial is the mean over inner folds; every measure computed is recorded with it, and every
generator trial also records ``spread``, the within-class variety of one synthetic set relative to the real data's
(:func:`serzoo.metrics.spread_ratio`: 1 = as varied, 0 = one point per class), which shows a collapsed generator
that MMD alone cannot (a set at the data's mean and one copied row score alike).
"""

from __future__ import annotations

import numpy as np

#: Objective name → KerasTuner direction.
OBJECTIVES = {"utility": "max", "tstr": "max", "trts": "max", "mmd": "min", "fid": "min", "uar": "max"}
#: Objectives that need the classifier trained on real (+ synthetic) data per inner fold.
CLASSIFIER_OBJECTIVES = {"utility", "uar"}


def kt_objective(name: str):
    import keras_tuner as kt

    if name not in OBJECTIVES:
        raise ValueError(f"unknown objective {name!r}; choose one of: {', '.join(OBJECTIVES)}")
    return kt.Objective(name, OBJECTIVES[name])


class InnerFolds:
    """The normalised inner leave-one-speaker-out folds of the development corpus (computed once), and the
    real-data-only UAR of each (fold, seed, classifier setting), cached because it does not depend on the
    generator."""

    def __init__(self, dev_corpus, normalisation: str = "global"):
        from serzoo.data import iter_folds

        self.corpus = dev_corpus
        self.folds = list(iter_folds(dev_corpus, normalisation=normalisation, progress=False))
        self._real_uar = {}

    @property
    def n_classes(self) -> int:
        return self.corpus.n_classes

    def real_uar(self, data, classifier: str, options: dict, seed: int) -> float:
        """UAR of ``classifier`` (``options``) trained on the fold's real training data alone (cached)."""
        key = (data.fold.name, classifier, repr(sorted(options.items())), seed)
        if key not in self._real_uar:
            self._real_uar[key] = classifier_uar(
                data, data.x_train, data.y_train, classifier, options, seed, self.n_classes
            )
        return self._real_uar[key]


def classifier_uar(data, x_train, y_train, classifier, options, seed, n_classes, fit_kwargs=None) -> float:
    from serzoo.metrics import unweighted_average_recall
    from serzoo.models.classifiers import make_classifier

    model = make_classifier(classifier, seed=seed, **options).fit(x_train, y_train, n_classes, **(fit_kwargs or {}))
    return unweighted_average_recall(data.y_test, model.predict(data.x_test), n_classes)


def matched_real_options(classifier: str, options: dict, n_real: int, n_synthetic: int) -> dict:
    """Options of ``classifier`` trained on the ``n_real`` real rows alone with as many optimizer updates as
    ``options`` make on ``n_real`` real + ``n_synthetic`` synthetic rows (the DNN's epochs scaled, rounded;
    the recipe's schedule knobs dropped). The SVM has no updates: its options are returned as they are."""
    if classifier != "dnn":
        return dict(options)
    from serzoo.models.classifiers import make_classifier

    dnn = make_classifier("dnn", **options)
    steps = dnn.optimizer_steps(n_real, n_synthetic)
    per_epoch = -(-n_real // dnn.batch_size)
    schedule = {"constant_updates", "pretrain_epochs"}
    return {**{k: v for k, v in options.items() if k not in schedule}, "epochs": max(1, round(steps / per_epoch))}


def evaluate_trial(
    folds: InnerFolds,
    setting,
    objective: str,
    *,
    classifier: str = "dnn",
    classifier_options: dict | None = None,
    k: int = 10,
    seed: int = 0,
) -> tuple[dict, dict]:
    """Every measure of one trial: (means over inner folds, {measure: {inner fold: value}}).

    ``setting`` is a :class:`serzoo.hparams.TunedSetting`, or None for the classifier alone (``uar``).
    Raises :class:`keras_tuner.errors.FailedTrialError` (with the reason) when training diverges or a
    measure is not finite, so that KerasTuner records the trial as failed.
    """
    import keras_tuner as kt

    from serzoo.augmenters import augmented_sets, tuned_augmenter
    from serzoo.errors import DivergenceError
    from serzoo.metrics import spread_ratio
    from serzoo.quality import FidScorer, generator_quality
    from serzoo.recipes import augmented_training_set

    options = dict(classifier_options or {})
    if setting is None and objective != "uar":
        raise ValueError(f"objective {objective!r} measures a generator; without one (--scheme none) use 'uar'")
    per_fold = {}
    for data in folds.folds:
        real = folds.real_uar(data, classifier, options, seed) if objective in CLASSIFIER_OBJECTIVES else None
        measures = {"uar_real": real} if real is not None else {}
        if setting is not None:
            n = data.y_train.size
            try:
                augmenter = tuned_augmenter(setting, seed=seed).fit(data.x_train, data.y_train, folds.n_classes)
            except DivergenceError as err:
                raise kt.errors.FailedTrialError(f"inner fold {data.fold.name}: {err}") from err
            x_syn, y_syn = augmented_sets(augmenter, data.y_train, max(k, 1), seed=seed + 1000)
            if not np.all(np.isfinite(x_syn)):
                raise kt.errors.FailedTrialError(f"inner fold {data.fold.name}: non-finite synthetic features")
            quality = generator_quality(data.x_train, data.y_train, x_syn[:n], y_syn[:n], folds.n_classes, tstr=False)
            spread = spread_ratio(data.x_train, data.y_train, x_syn[:n], y_syn[:n])["within_class"]
            measures.update(mmd=quality["mmd"], trts=quality["trts_uar"], spread=spread)
            if objective == "tstr":
                measures["tstr"] = classifier_uar(
                    data, x_syn[:n], y_syn[:n], classifier, options, seed, folds.n_classes
                )
            if objective == "fid":
                scorer = FidScorer(folds.n_classes, seed=seed).fit(data.x_train, data.y_train)
                measures["fid"] = scorer.score(data.x_train, x_syn[:n])
            if objective == "utility":
                recipe = setting.recipe_object()
                if recipe.tag:
                    built = augmented_training_set(
                        data.x_train,
                        data.y_train,
                        augmenter,
                        k=k,
                        seed=seed + 1000,
                        recipe=recipe,
                        n_classes=folds.n_classes,
                        groups=data.train.speaker,
                    )
                    fit_options = {**recipe.classifier_options(classifier), **options}
                    augmented = classifier_uar(
                        data, built.x, built.y, classifier, fit_options, seed, folds.n_classes, built.fit_kwargs()
                    )
                    n_synthetic = int((built.synthetic & (built.sample_weight > 0)).sum())  # fit drops weight 0
                else:
                    fit_options, n_synthetic = options, k * n
                    augmented = classifier_uar(
                        data,
                        np.concatenate([data.x_train, x_syn[: k * n]]),
                        np.concatenate([data.y_train, y_syn[: k * n]]),
                        classifier,
                        options,
                        seed,
                        folds.n_classes,
                    )
                matched_options = matched_real_options(classifier, fit_options, n, n_synthetic)
                matched = folds.real_uar(data, classifier, matched_options, seed)
                measures.update(
                    uar_augmented=augmented,
                    uar_real_matched=matched,
                    utility=augmented - matched,
                    utility_unmatched=augmented - real,
                )
        else:
            measures["uar"] = real
        for name, value in measures.items():
            per_fold.setdefault(name, {})[data.fold.name] = float(value)
    result = {name: float(np.mean(list(values.values()))) for name, values in per_fold.items()}
    bad = [name for name, value in result.items() if not np.isfinite(value)]
    if bad:
        raise kt.errors.FailedTrialError(f"non-finite {', '.join(bad)} (training diverged?)")
    return result, per_fold
