"""Leave-one-group-out evaluation of a classifier on a serzoo corpus.

Reports UAR and WA per fold, pooled over all test utterances ("overall", the usual LOSO figure)
and as the mean over folds.

Reference: Yi & Mak, journal Sec. IV-C (leave-one-speaker-out on EmoDB, 10 folds).
"""

from __future__ import annotations

import time

import numpy as np

from serzoo.data import Corpus, iter_folds
from serzoo.metrics import classification_summary
from serzoo.models.classifiers import make_classifier


def evaluate_classifier(
    corpus: Corpus,
    classifier: str,
    *,
    normalisation: str = "global",
    fold_scheme: str = "leave-one-group-out",
    seed: int = 0,
    max_folds: int | None = None,
    progress: bool = True,
    **classifier_options,
) -> dict:
    """Train ``classifier`` on each training fold and test it on the held-out group (or corpus:
    ``fold_scheme`` of :data:`serzoo.folds.FOLD_SCHEMES`).

    Returns a JSON-ready dict with ``folds`` (per fold), ``overall`` (pooled predictions) and
    ``fold_mean`` (mean and standard deviation of per-fold UAR / WA).
    """
    folds, y_true, y_pred = [], [], []
    for data in iter_folds(
        corpus,
        normalisation=normalisation,
        fold_scheme=fold_scheme,
        max_folds=max_folds,
        progress=progress,
        desc=f"{corpus.name}/{corpus.feature_set} {classifier}",
    ):
        start = time.perf_counter()
        model = make_classifier(classifier, seed=seed, **classifier_options)
        model.fit(data.x_train, data.y_train, corpus.n_classes)
        predicted = np.asarray(model.predict(data.x_test))
        summary = classification_summary(data.y_test, predicted, corpus.n_classes)
        folds.append(
            {
                "fold": data.fold.name,
                "n_train": int(data.y_train.size),
                "n_features": int(data.x_train.shape[1]),
                "seconds": time.perf_counter() - start,
                **summary,
            }
        )
        y_true.append(data.y_test)
        y_pred.append(predicted)
    uars, was = np.array([f["uar"] for f in folds]), np.array([f["wa"] for f in folds])
    return {
        "dataset": f"{corpus.name}/{corpus.feature_set}",
        "classifier": classifier,
        "classifier_options": classifier_options,
        "normalisation": normalisation,
        "fold_scheme": fold_scheme,
        "seed": seed,
        "class_names": corpus.class_names,
        "folds": folds,
        "overall": classification_summary(np.concatenate(y_true), np.concatenate(y_pred), corpus.n_classes),
        "fold_mean": {
            "uar": float(uars.mean()),
            "uar_std": float(uars.std()),
            "wa": float(was.mean()),
            "wa_std": float(was.std()),
        },
    }
