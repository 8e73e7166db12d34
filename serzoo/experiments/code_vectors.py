"""Sahu et al. 2017 under leave-one-speaker-out: how much emotion information survives in 2-D AAE
codes (Table 1), and whether AAE-generated feature vectors help (Table 2).

Per outer fold (training-fold z-norm): a linear SVM on (1) the openSMILE features, (2) the AAE's
``code_dim``-D codes, (3) a plain autoencoder's codes (same networks, no adversarial part),
(4) LDA and (5) PCA projections. The SVM's C and the LDA/PCA sizes are chosen by an inner
leave-one-speaker-out cross-validation over the training speakers only; the autoencoders' code sizes
are fixed in advance (training one per inner fold would multiply the cost by the speaker count).
Synthetic data: ``n_synthetic`` prior samples per class → AAE decoder → SVM on synthetic only, real
only, and real + synthetic.
"""

from __future__ import annotations

import json
import pathlib
import time

import numpy as np

from serzoo import plots
from serzoo.data import Corpus, FoldCache, leave_one_group_out
from serzoo.metrics import classification_summary
from serzoo.models.classifiers import LinearSvm
from serzoo.schedules import schedule_keyword

SVM_CS = (0.01, 0.1, 1.0)
PCA_SIZES = (2, 10, 50, 100)
REPRESENTATIONS = ("opensmile", "aae", "ae", "lda", "pca")
SETTINGS = ("real only", "synthetic only", "real + synthetic")


def _projection(kind: str, size: int, seed: int):
    from sklearn.decomposition import PCA
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    if kind == "lda":
        return LinearDiscriminantAnalysis(n_components=size)
    return PCA(n_components=size, svd_solver="full", random_state=seed)


def inner_cv_choice(x, y, groups, predict_all, n_classes: int):
    """The candidate with the best pooled UAR over leave-one-group-out folds of the training data.

    ``predict_all(x_train, y_train, x_test)`` returns ``{candidate: predictions}``.
    """
    truth, predicted = [], {}
    for fold in leave_one_group_out(list(dict.fromkeys(groups.tolist()))):
        test = np.isin(groups, fold.test_splits)
        truth.append(y[test])
        for candidate, y_pred in predict_all(x[~test], y[~test], x[test]).items():
            predicted.setdefault(candidate, []).append(y_pred)
    truth = np.concatenate(truth)
    scores = {
        candidate: classification_summary(truth, np.concatenate(parts), n_classes)["uar"]
        for candidate, parts in predicted.items()
    }
    return max(scores, key=scores.get)


def _svm(c, x_train, y_train, x_test):
    return LinearSvm(c=c).fit(x_train, y_train).predict(x_test)


def _svm_all(x_train, y_train, x_test):
    return {c: _svm(c, x_train, y_train, x_test) for c in SVM_CS}


def _projected_all(kind: str, sizes, seed: int):
    """Predictions for every (size, C): one projection of the largest size, sliced (the leading LDA/PCA
    components do not depend on how many are kept)."""

    def predict_all(x_train, y_train, x_test):
        projection = _projection(kind, max(sizes), seed).fit(x_train, y_train)
        p_train, p_test = projection.transform(x_train), projection.transform(x_test)
        return {(size, c): _svm(c, p_train[:, :size], y_train, p_test[:, :size]) for size in sizes for c in SVM_CS}

    return predict_all


def _train_autoencoder(x, code_dim: int, training, seed: int, width: int = 1000):
    """A plain autoencoder with the AAE's encoder and decoder (no prior, no discriminator), trained like the AAE's
    autoencoder player (``training``: epochs, batch size, Adam rate)."""
    import keras

    from serzoo.models.aae import aae_networks

    keras.utils.set_random_seed(seed)
    networks = aae_networks(
        x.shape[1], 1, code_dim=code_dim, widths=(width, width), discriminator_widths=(), dropout=0.5
    )
    encoder = networks["encoder"]
    model = keras.Sequential([encoder, networks["decoder"]])
    model.compile(optimizer=keras.optimizers.Adam(training.learning_rate), loss="mse")
    model.fit(x, x, batch_size=training.batch_size, epochs=training.epochs, verbose=0)
    return encoder


@schedule_keyword
def run_code_vectors(
    corpus: Corpus,
    *,
    code_dim: int = 2,
    ae_code_dim: int = 100,
    schedule: str = "serzoo",
    epochs: int | None = None,
    learning_rate: float | None = None,
    batch_size: int | None = None,
    n_synthetic: int = 100,
    width: int = 1000,
    seed: int = 0,
    max_folds: int | None = None,
    progress: bool = True,
    output_dir=None,
    fresh: bool = False,
    jobs: int = 1,
) -> dict:
    """Run both experiments; returns a JSON-ready dict with pooled UAR/WA and per-fold choices.

    ``width`` is the hidden width of the autoencoders (paper: 1000; smaller for tests). ``schedule`` gives the AAE's
    training (:mod:`serzoo.schedules`; ``epochs``/``learning_rate``/``batch_size`` override it); the plain AE trains
    alike. Each fold is a unit: with ``output_dir`` finished folds are kept in its ``units.jsonl`` (an interrupted
    run resumes; ``fresh`` starts over), and ``jobs`` worker processes compute folds in parallel.
    """
    from tqdm.auto import tqdm

    from serzoo.data import leave_one_group_out
    from serzoo.experiments.resume import UnitStore
    from serzoo.experiments.workers import run_units
    from serzoo.schedules import training_for

    training = training_for("aae", schedule, epochs=epochs, learning_rate=learning_rate, batch_size=batch_size)
    settings = {
        "dataset": f"{corpus.name}/{corpus.feature_set}",
        "code_dim": code_dim,
        "ae_code_dim": ae_code_dim,
        "training": training.describe(),
        "n_synthetic": n_synthetic,
        "width": width,
        "seed": seed,
    }
    store = None
    if output_dir is not None:
        if fresh:
            UnitStore.discard(output_dir)
        store = UnitStore(output_dir, settings)
    folds = [f.name for f in leave_one_group_out(list(corpus.splits), max_folds)]
    units = {}
    todo = [(fold, (fold, i == 0)) for i, fold in enumerate(folds) if not (store and store.get(fold))]
    scatter = store.load_examples().get("scatter") if store else None

    def finished(fold, outcome):
        nonlocal scatter
        units[fold], example = outcome
        if store:
            store.add(fold, units[fold])
        if example:
            scatter = example
            if store:
                store.save_example("scatter", example)

    bar = tqdm(total=len(folds), initial=len(folds) - len(todo), desc="code vectors", unit="fold", disable=not progress)
    run_units(
        todo,
        _compute_fold,
        finished,
        jobs=jobs,
        setup=_FoldContext,
        progress=bar,
        setup_args=(corpus, training, code_dim, ae_code_dim, n_synthetic, width, seed),
    )
    bar.close()
    units = [units.get(fold) or store.get(fold) for fold in folds]
    table = {}
    for name in (*REPRESENTATIONS, *SETTINGS):
        truth = np.concatenate([u["predictions"][name][0] for u in units])
        predicted = np.concatenate([u["predictions"][name][1] for u in units])
        summary = classification_summary(truth, predicted, corpus.n_classes)
        table[name] = {"uar": summary["uar"], "wa": summary["wa"]}
    return {
        **settings,
        "class_names": corpus.class_names,
        "epochs": training.epochs,
        "schedule": schedule,
        "folds": len(folds),
        "table": table,
        "choices": [u["chosen"] for u in units],
        "timings": [u["timing"] for u in units],
        "scatter": scatter,
    }


class _FoldContext:
    def __init__(self, corpus, training, code_dim, ae_code_dim, n_synthetic, width, seed):
        self.corpus, self.training, self.code_dim, self.ae_code_dim = corpus, training, code_dim, ae_code_dim
        self.n_synthetic, self.width, self.seed = n_synthetic, width, seed
        self.fold = FoldCache(corpus)


def _compute_fold(context: _FoldContext, fold: str, keep_scatter: bool):
    """One fold: the SVM on each representation and on real / synthetic / real + synthetic data."""
    from serzoo.augmenters import SchemeAugmenter

    data, n, seed, width = context.fold(fold), context.corpus.n_classes, context.seed, context.width
    x, y, x_test = data.x_train, data.y_train, data.x_test
    groups = np.asarray(data.train.speaker)
    chosen, predictions = {"fold": fold}, {}

    def record(name, y_pred):
        predictions[name] = (data.y_test.tolist(), np.asarray(y_pred).tolist())

    chosen["opensmile"] = c = inner_cv_choice(x, y, groups, _svm_all, n)
    record("opensmile", _svm(c, x, y, x_test))

    start = time.perf_counter()
    aae = SchemeAugmenter(
        "aae", training=context.training, seed=seed, options={"code_dim": context.code_dim, "width": width}
    )
    aae.fit(x, y, n)
    aae_seconds = time.perf_counter() - start
    codes, test_codes = aae.model.encode(x).numpy(), aae.model.encode(x_test).numpy()
    chosen["aae"] = c = inner_cv_choice(codes, y, groups, _svm_all, n)
    record("aae", _svm(c, codes, y, test_codes))
    scatter = None
    if keep_scatter:
        scatter = {
            "fold": fold,
            "train": codes,
            "train_labels": y,
            "test": test_codes,
            "test_labels": data.y_test,
            "means": np.asarray(aae.model.prior_means),
        }

    start = time.perf_counter()
    encoder = _train_autoencoder(x, context.ae_code_dim, context.training, seed, width)
    ae_seconds = time.perf_counter() - start
    ae_codes, ae_test = encoder.predict(x, verbose=0), encoder.predict(x_test, verbose=0)
    chosen["ae"] = c = inner_cv_choice(ae_codes, y, groups, _svm_all, n)
    record("ae", _svm(c, ae_codes, y, ae_test))

    for kind, sizes in (("lda", tuple(range(1, n))), ("pca", PCA_SIZES)):
        usable = tuple(size for size in sizes if size < min(x.shape) * (len(set(groups)) - 1) // len(set(groups)))
        chosen[kind] = best = inner_cv_choice(x, y, groups, _projected_all(kind, usable, seed), n)
        record(kind, _projected_all(kind, (best[0],), seed)(x, y, x_test)[best])

    labels = np.repeat(np.arange(n), context.n_synthetic).astype(np.int32)
    synthetic = aae.sample(labels, seed=seed + 1)
    c = chosen["opensmile"]
    record("real only", _svm(c, x, y, x_test))
    record("synthetic only", _svm(c, synthetic, labels, x_test))
    record("real + synthetic", _svm(c, np.concatenate([x, synthetic]), np.concatenate([y, labels]), x_test))
    unit = {
        "chosen": chosen,
        "predictions": predictions,
        "timing": {"fold": fold, "aae_seconds": aae_seconds, "ae_seconds": ae_seconds},
    }
    return json.loads(json.dumps(unit, default=_plain)), scatter


def _plain(value):
    """JSON for the numpy scalars in the inner-CV choices."""
    return value.item() if hasattr(value, "item") else str(value)


#: Sahu et al. 2017 on IEMOCAP, 4 classes, UAR %: Table 1 (representations) and Table 2 (synthetic).
PAPER_UAR = {
    "opensmile": 57.88,
    "aae": 56.38,
    "ae": 53.92,
    "lda": 48.67,
    "pca": 43.12,
    "real only": 57.88,
    "synthetic only": 33.75,
    "real + synthetic": 58.38,
}


def render_report(result: dict, output_dir) -> str:
    """The code scatter plot (Sahu et al. Fig. 3) in ``output_dir``; returns the Markdown report and leaves
    ``result`` JSON-ready (the plot material taken out)."""
    out = pathlib.Path(output_dir)
    scatter = result.pop("scatter")
    figure = plots.code_scatter_png(scatter, result["class_names"], out / "code_scatter.png")
    rows = "\n".join(
        f"| {name} | {100 * result['table'][name]['uar']:.2f} | {100 * result['table'][name]['wa']:.2f} "
        f"| {PAPER_UAR[name]:.2f} |"
        for name in (*REPRESENTATIONS, *SETTINGS)
    )
    text = "\n".join(
        [
            f"# Sahu et al. 2017 under leave-one-speaker-out: {result['dataset']}",
            "",
            f"{result['folds']} folds, seed {result['seed']}, AAE code {result['code_dim']}-D, plain AE code "
            f"{result['ae_code_dim']}-D, {result['epochs']} epochs, {result['n_synthetic']} synthetic vectors per "
            "class. SVM C and LDA/PCA sizes chosen by inner leave-one-speaker-out CV on the training speakers. "
            "Paper: IEMOCAP, 4 classes (chance 25 %); ours: 7 classes (chance 14.3 %).",
            "",
            "| representation / training data | UAR % | WA % | paper UAR % |",
            "|---|---|---|---|",
            rows,
            "",
            f"![AAE codes of training and test speakers]({figure.name})",
            "",
        ]
    )
    return text
