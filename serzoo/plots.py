"""Figures of serzoo's reports (matplotlib, written as PNG)."""

from __future__ import annotations

import pathlib

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def confusion_matrix_png(matrix, class_names, title: str, path) -> pathlib.Path:
    """Row-normalised confusion matrix (recall per true class) with counts in the cells."""
    plt = _pyplot()
    matrix = np.asarray(matrix, float)
    recall = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(6.4, 5.0))
    image = ax.imshow(recall, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(class_names)), class_names, rotation=45, ha="right")
    ax.set_yticks(range(len(class_names)), class_names)
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(
            j, i, int(count), ha="center", va="center", color="white" if recall[i, j] > 0.6 else "black", fontsize=8
        )
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title, fontsize=10)
    fig.colorbar(image, ax=ax, label="recall")
    fig.tight_layout()
    return _save(fig, path)


def fold_uar_png(results: list[dict], path, title: str = "UAR per held-out group") -> pathlib.Path:
    """Grouped bars: per-fold UAR of several evaluation results (one bar colour per result)."""
    plt = _pyplot()
    folds = [f["fold"] for f in results[0]["folds"]]
    width = 0.8 / len(results)
    fig, ax = plt.subplots(figsize=(max(6, len(folds) * 0.8), 3.8))
    for k, result in enumerate(results):
        uars = [100 * f["uar"] for f in result["folds"]]
        label = f"{result['classifier']} ({result['normalisation']}): {100 * result['overall']['uar']:.1f}"
        ax.bar(np.arange(len(folds)) + k * width, uars, width, label=label)
    ax.set_xticks(np.arange(len(folds)) + 0.4 - width / 2, folds, rotation=45, ha="right")
    ax.set_ylabel("UAR (%)")
    ax.set_ylim(0, 100)
    ax.axhline(100 / len(results[0]["class_names"]), color="grey", ls=":", label="chance")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def _save(fig, path) -> pathlib.Path:
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    _pyplot().close(fig)
    return path


def uar_vs_k_png(table: list[dict], path, title: str = "UAR vs number of augmented sets") -> pathlib.Path:
    """One panel per classifier: UAR (mean over seeds) against k per method; k = 0 is real data only."""
    plt = _pyplot()
    classifiers = sorted({row["classifier"] for row in table})
    fig, axes = plt.subplots(1, len(classifiers), figsize=(5.2 * len(classifiers), 3.8), squeeze=False)
    for ax, clf in zip(axes[0], classifiers):
        rows = [r for r in table if r["classifier"] == clf and not r["synthetic_only"]]
        baseline = [r for r in rows if r["k"] == 0]
        for method in sorted({r["method"] for r in rows if r["k"] > 0}):
            points = baseline + sorted((r for r in rows if r["method"] == method and r["k"] > 0), key=lambda r: r["k"])
            ax.errorbar(
                [r["k"] for r in points],
                [100 * r["uar"] for r in points],
                yerr=[100 * r["uar_std"] for r in points],
                marker="o",
                ms=3,
                capsize=2,
                label=method,
            )
        ax.set_xlabel("augmented sets k")
        ax.set_ylabel("UAR (%)")
        ax.set_title(clf, fontsize=10)
        ax.grid(alpha=0.3)
    axes[0][-1].legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def loss_curves_png(histories: dict, path, title: str = "training losses", labels: dict | None = None) -> pathlib.Path:
    """One panel per method: every tracked loss against the epoch (symlog axis); ``labels`` ({loss name: legend})
    plots just those losses under those names (e.g. :data:`serzoo.models.semi_aae.LOSS_PHASES`)."""
    from matplotlib.ticker import SymmetricalLogLocator

    plt = _pyplot()
    histories = {m: h for m, h in histories.items() if h}
    fig, axes = plt.subplots(1, max(1, len(histories)), figsize=(4.6 * max(1, len(histories)), 3.5), squeeze=False)
    for ax, (method, history) in zip(axes[0], histories.items()):
        shown = (
            {name: label for name, label in labels.items() if name in history}
            if labels
            else {
                name: name.replace("_loss", "")
                for name in history
                if not name.startswith("val_") and (not name.startswith("class") or name.startswith("class0_"))
            }
        )
        for name, label in shown.items():
            ax.plot(np.arange(1, len(history[name]) + 1), history[name], label=label)
        ax.set_title(method, fontsize=10)
        ax.set_xlabel("epoch")
        ax.set_yscale("symlog")
        ax.yaxis.set_major_locator(SymmetricalLogLocator(linthresh=1, base=10, subs=(1, 2, 5)))
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


#: Optimisation steps of every t-SNE figure (sklearn's default; the tests lower it to sklearn's minimum, 250).
TSNE_ITERATIONS = 1000


def _tsne(x, seed: int) -> np.ndarray:
    """2-D t-SNE of the rows of ``x`` (perplexity 30, lower for fewer than 91 rows: it must stay below the rows)."""
    from sklearn.manifold import TSNE

    perplexity = min(30.0, max(1.0, (len(x) - 1) / 3))
    return TSNE(init="pca", random_state=seed, perplexity=perplexity, max_iter=TSNE_ITERATIONS).fit_transform(x)


def tsne_png(examples: dict, class_names, path, seed: int = 0) -> pathlib.Path:
    """t-SNE of real (circles) and synthetic (crosses) training-fold vectors, one panel per method."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(examples), figsize=(4.4 * len(examples), 4.2), squeeze=False)
    colours = plt.get_cmap("tab10")
    for ax, (method, ex) in zip(axes[0], examples.items()):
        embedded = _tsne(np.concatenate([ex["real"], ex["synthetic"]]), seed)
        n = len(ex["real"])
        for k, name in enumerate(class_names):
            real, syn = embedded[:n][ex["real_labels"] == k], embedded[n:][ex["synthetic_labels"] == k]
            ax.scatter(real[:, 0], real[:, 1], s=8, color=colours(k), marker="o", label=name)
            ax.scatter(syn[:, 0], syn[:, 1], s=10, color=colours(k), marker="x")
        ax.set_title(f"{method}: real (o) vs synthetic (x)", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0][-1].legend(fontsize=7, loc="best")
    fig.tight_layout()
    return _save(fig, path)


def style_tsne_png(
    style, speakers, labels, class_names, path, *, style_dim: int, title: str = "", seed: int = 0
) -> pathlib.Path:
    """t-SNE of a semi-supervised AAE's style codes ``z`` (``[utterances, style_dim]``), coloured by speaker (left)
    and by emotion (right): style separated from emotion clusters by speaker, not by emotion (ICASSP 2019 Sec. 3).

    Raises:
        ValueError: ``style`` is not ``[n, style_dim]`` (e.g. features passed instead of the encoder's ``z``), or
            ``speakers`` / ``labels`` do not give one value per row.
    """
    style = np.asarray(style, np.float64)
    if style.ndim != 2 or style.shape[1] != style_dim:
        raise ValueError(
            f"style_tsne_png embeds the style code z: expected [utterances, {style_dim}], got shape "
            f"{style.shape}; pass the encoder's style output (SemiSupervisedAAE.encode), not features"
        )
    speakers, labels = np.asarray(speakers).astype(str), np.asarray(labels)
    if not len(style) == len(speakers) == len(labels):
        raise ValueError(
            f"one speaker and one label per row: {len(style)} rows, {len(speakers)} speakers, {len(labels)} labels"
        )
    plt = _pyplot()
    embedded = _tsne(style, seed)
    fig, axes = plt.subplots(1, 2, figsize=(9.6, 4.4), sharex=True, sharey=True)
    groups = {
        "speaker": {name: speakers == name for name in np.unique(speakers)},
        "emotion": {name: labels == k for k, name in enumerate(class_names)},
    }
    for ax, (by, masks) in zip(axes, groups.items()):
        colours = plt.get_cmap("tab10" if len(masks) <= 10 else "tab20")
        for k, (name, mask) in enumerate(masks.items()):
            ax.scatter(embedded[mask, 0], embedded[mask, 1], s=10, color=colours(k % colours.N), label=name)
        ax.set_title(f"z coloured by {by}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.legend(fontsize=7, loc="best")
    fig.suptitle(title or f"t-SNE of the {style_dim}-D style code z", fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def reconstruction_png(reconstruction: dict, path, title: str = "") -> pathlib.Path:
    """Real vs decoded frame-level descriptors of one utterance, one panel per LLD (``reconstruction``: ``names``,
    ``real`` and ``decoded`` as ``[LLDs][frames]`` in the original scale)."""
    plt = _pyplot()
    names = reconstruction["names"]
    fig, axes = plt.subplots(len(names), 1, figsize=(7.5, 2.3 * len(names)), sharex=True, squeeze=False)
    for ax, name, real, decoded in zip(axes[:, 0], names, reconstruction["real"], reconstruction["decoded"]):
        ax.plot(real, lw=1, label="real")
        ax.plot(decoded, lw=1, label="decoded")
        ax.set_ylabel(name, fontsize=8)
    axes[0, 0].legend(fontsize=7, loc="best")
    axes[-1, 0].set_xlabel("frame")
    fig.suptitle(title or "reconstruction", fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def contours_png(material: dict, path, title: str = "real vs generated contours") -> pathlib.Path:
    """Real vs generated frame-level contours: one row per LLD, one column per class; in each panel the real
    contour and each entry's generated one (``material``: name → ``names``, ``classes``, ``real`` and
    ``generated`` as ``[class][LLD][frames]`` in the original scale; the first entry's real contours are drawn)."""
    plt = _pyplot()
    first = next(iter(material.values()))
    names, classes = first["names"], first["classes"]
    fig, axes = plt.subplots(len(names), len(classes), figsize=(5.5 * len(classes), 2.1 * len(names)), squeeze=False)
    for c, class_name in enumerate(classes):
        for row, name in enumerate(names):
            ax = axes[row, c]
            ax.plot(first["real"][c][row], lw=1.2, color="black", label="real")
            for label, entry in material.items():
                ax.plot(entry["generated"][c][row], lw=0.9, alpha=0.8, label=label)
            ax.set_ylabel(name, fontsize=7)
            if row == 0:
                ax.set_title(class_name, fontsize=9)
    axes[0, 0].legend(fontsize=6, loc="best")
    for ax in axes[-1]:
        ax.set_xlabel("frame (10 ms)")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def feature_histogram_png(examples: dict, feature: int, path, feature_name: str = "") -> pathlib.Path:
    """Histogram of one (normalised) feature: real training data vs each method's synthetic data."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(examples), figsize=(3.8 * len(examples), 3.2), squeeze=False)
    for ax, (method, ex) in zip(axes[0], examples.items()):
        bins = np.linspace(-4, 4, 41)
        ax.hist(np.clip(ex["real"][:, feature], -4, 4), bins=bins, alpha=0.6, density=True, label="real")
        ax.hist(np.clip(ex["synthetic"][:, feature], -4, 4), bins=bins, alpha=0.6, density=True, label="synthetic")
        ax.set_title(f"{method}", fontsize=9)
        ax.set_xlabel(f"feature {feature_name or feature} (z-norm)")
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    return _save(fig, path)


def augmentation_bars_png(rows: list[dict], path, title: str) -> pathlib.Path:
    """UAR with vs without augmentation per classifier (``rows``: classifier, setting, uar)."""
    plt = _pyplot()
    classifiers = sorted({r["classifier"] for r in rows})
    settings = list(dict.fromkeys(r["setting"] for r in rows))
    width = 0.8 / len(settings)
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    for j, setting in enumerate(settings):
        values = [
            100 * next(r["uar"] for r in rows if r["classifier"] == c and r["setting"] == setting) for c in classifiers
        ]
        bars = ax.bar(np.arange(len(classifiers)) + j * width, values, width, label=setting)
        ax.bar_label(bars, fmt="%.1f", fontsize=8)
    ax.set_xticks(np.arange(len(classifiers)) + 0.4 - width / 2, classifiers)
    ax.set_ylabel("UAR (%)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def code_scatter_png(scatter: dict, class_names, path) -> pathlib.Path:
    """2-D AAE codes of training (left) and held-out (right) speakers, prior means marked (Sahu Fig. 3)."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(9, 4.2), sharex=True, sharey=True)
    colours = plt.get_cmap("tab10")
    for ax, part in zip(axes, ("train", "test")):
        codes, labels = np.asarray(scatter[part]), np.asarray(scatter[f"{part}_labels"])
        for k, name in enumerate(class_names):
            ax.scatter(codes[labels == k, 0], codes[labels == k, 1], s=8, color=colours(k), label=name)
        means = np.asarray(scatter["means"])
        ax.scatter(means[:, 0], means[:, 1], s=80, marker="+", color="black")
        ax.set_title(f"{'training' if part == 'train' else 'held-out'} speakers ({scatter['fold']})", fontsize=9)
    axes[1].legend(fontsize=7, loc="best")
    fig.tight_layout()
    return _save(fig, path)


def search_progress_png(scores, objective: str, maximise: bool, path) -> pathlib.Path:
    """A search's objective against trial number (failed trials as crosses at the bottom) and the best so far."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    numbers = np.arange(len(scores))
    values = np.array([np.nan if s is None else s for s in scores], float)
    ok = np.isfinite(values)
    ax.plot(numbers[ok], values[ok], "o", label="trial")
    if ok.any():
        best = (np.fmax if maximise else np.fmin).accumulate(np.where(ok, values, -np.inf if maximise else np.inf))
        ax.step(numbers, np.where(np.isfinite(best), best, np.nan), where="post", label="best so far")
        if (~ok).any():
            ax.plot(numbers[~ok], np.full((~ok).sum(), np.nanmin(values)), "x", color="red", label="failed")
    ax.set_xlabel("trial")
    ax.set_ylabel(objective)
    ax.legend(fontsize=8)
    ax.set_title(f"{objective} per trial ({'max' if maximise else 'min'}imised)", fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def hyperparameter_scatter_png(rows: list[dict], names: list[str], objective: str, path) -> pathlib.Path:
    """One panel per hyperparameter: its value in each completed trial against the objective (log axis for
    positive values spanning more than a decade)."""
    plt = _pyplot()
    columns = min(3, max(1, len(names)))
    lines = -(-len(names) // columns)
    fig, axes = plt.subplots(lines, columns, figsize=(4 * columns, 2.8 * lines), squeeze=False)
    for ax, name in zip(axes.flat, names):
        values = [r["hyperparameters"].get(name) for r in rows]
        scores = [r["score"] for r in rows]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            ax.plot(values, scores, "o")
            positive = [v for v in values if v > 0]
            if len(positive) == len(values) and max(positive) / min(positive) > 10:
                ax.set_xscale("log")
                ax.xaxis.set_minor_formatter(plt.NullFormatter())  # minor labels overlap on short log ranges
        else:
            labels = sorted({str(v) for v in values})
            ax.plot([labels.index(str(v)) for v in values], scores, "o")
            ax.set_xticks(range(len(labels)), labels)
        ax.set_xlabel(name, fontsize=8)
        ax.set_ylabel(objective, fontsize=8)
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    fig.tight_layout()
    return _save(fig, path)


def recipe_gains_png(gains: dict, path, title: str) -> pathlib.Path:
    """Horizontal bars: UAR gain (points, ± std over seeds) of every cell over no augmentation, best at the top."""
    plt = _pyplot()
    cells = sorted(gains, key=lambda c: gains[c]["mean"])
    fig, ax = plt.subplots(figsize=(7.0, 0.8 + 0.22 * len(cells)))
    means = [gains[c]["mean"] for c in cells]
    ax.barh(
        np.arange(len(cells)),
        means,
        xerr=[gains[c]["std"] for c in cells],
        capsize=2,
        color=["tab:green" if m > 0 else "tab:red" for m in means],
    )
    ax.set_yticks(np.arange(len(cells)), cells, fontsize=7)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("UAR gain over no augmentation (points)")
    ax.set_title(title, fontsize=9)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return _save(fig, path)


def baseline_bars_png(rows: list[dict], path) -> pathlib.Path:
    """One panel per corpus: UAR (mean ± std over seeds) per feature set and class set, one bar per classifier and
    normalisation (``rows`` of :func:`serzoo.experiments.baselines.summarise`)."""
    plt = _pyplot()
    corpora = list(dict.fromkeys(r["corpus"] for r in rows))
    groups = list(dict.fromkeys((r["features"], r["classes"]) for r in rows))
    series = list(dict.fromkeys((r["classifier"], r["normalisation"]) for r in rows))
    width = 0.8 / len(series)
    fig, axes = plt.subplots(1, len(corpora), figsize=(4.2 * len(corpora), 3.8), sharey=True, squeeze=False)
    for ax, corpus in zip(axes[0], corpora):
        for j, (classifier, normalisation) in enumerate(series):
            found = {
                (r["features"], r["classes"]): r["uar"]
                for r in rows
                if r["corpus"] == corpus and (r["classifier"], r["normalisation"]) == (classifier, normalisation)
            }
            means = [100 * found[g]["mean"] if g in found else np.nan for g in groups]
            spreads = [100 * found[g]["std"] if g in found else 0 for g in groups]
            ax.bar(
                np.arange(len(groups)) + j * width, means, width, yerr=spreads, label=f"{classifier}, {normalisation}"
            )
        ax.set_xticks(np.arange(len(groups)) + 0.4 - width / 2, [f"{f}\n{c}" for f, c in groups], fontsize=8)
        ax.set_title(corpus, fontsize=10)
        ax.set_ylim(0, 100)
    axes[0][0].set_ylabel("UAR (%)")
    axes[0][-1].legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return _save(fig, path)


def cross_corpus_heatmap_png(panels: dict, corpora: list[str], path, title: str = "") -> pathlib.Path:
    """One heatmap per panel: UAR % of training on a row's corpus and testing on a column's (``panels`` = {panel
    title: {(train, test): percent}}; the diagonal is within-corpus leave-one-speaker-out, the row ``others`` is
    leave-one-corpus-out)."""
    plt = _pyplot()
    rows = [*corpora, "others"]
    columns = min(3, len(panels))
    grid = (-(-len(panels) // columns), columns)
    fig, axes = plt.subplots(*grid, figsize=(3.2 * columns + 1, 3.3 * grid[0]), squeeze=False, layout="constrained")
    for ax in axes.flat[len(panels) :]:
        ax.set_visible(False)
    for ax, (name, cells) in zip(axes.flat, panels.items()):
        values = np.array([[cells.get((r, c), np.nan) for c in corpora] for r in rows], float)
        image = ax.imshow(values, cmap="viridis", vmin=0, vmax=100)
        for (i, j), value in np.ndenumerate(values):
            if not np.isnan(value):
                ax.text(
                    j, i, f"{value:.1f}", ha="center", va="center", fontsize=8, color="white" if value < 60 else "k"
                )
        ax.set_xticks(range(len(corpora)), corpora, fontsize=8)
        ax.set_yticks(range(len(rows)), rows, fontsize=8)
        ax.set_xlabel("test corpus", fontsize=8)
        ax.set_title(name, fontsize=9)
    for row in axes:
        row[0].set_ylabel("training corpus", fontsize=8)
    fig.colorbar(image, ax=axes.ravel().tolist(), label="UAR (%)", shrink=0.6)
    if title:
        fig.suptitle(title, fontsize=10)
    return _save(fig, path)


def uar_vs_label_share_png(rows: list[dict], path) -> pathlib.Path:
    """One panel per corpus: UAR (mean ± std over seeds) against the share of labelled training utterances, one line
    per method (``rows`` of :func:`serzoo.experiments.regimes.summarise`)."""
    plt = _pyplot()
    corpora = list(dict.fromkeys(r["test"] for r in rows))
    methods = list(dict.fromkeys(r["method"] for r in rows))
    fig, axes = plt.subplots(1, len(corpora), figsize=(4.2 * len(corpora), 3.8), sharey=True, squeeze=False)
    for ax, corpus in zip(axes[0], corpora):
        for method in methods:
            found = sorted((r["fraction"], r["uar"]) for r in rows if r["test"] == corpus and r["method"] == method)
            if found:
                shares = [100 * f for f, _ in found]
                means = np.array([100 * u["mean"] for _, u in found])
                spreads = np.array([100 * u["std"] for _, u in found])
                ax.errorbar(shares, means, yerr=spreads, marker="o", capsize=2, label=method)
        ax.set_xscale("log")
        ax.set_xlabel("labelled share of the training utterances (%)")
        ax.set_title(corpus, fontsize=10)
    axes[0][0].set_ylabel("UAR (%)")
    axes[0][-1].legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return _save(fig, path)


def regime_gain_heatmap_png(rows: list[dict], path) -> pathlib.Path:
    """UAR gain over the supervised twin (points, mean over seeds) per method (rows) and corpus pair (columns)."""
    plt = _pyplot()
    gained = [r for r in rows if r["gain"] is not None]
    pairs = list(dict.fromkeys((r["train"], r["test"]) for r in gained))
    methods = list(dict.fromkeys(r["method"] for r in gained))
    values = np.full((len(methods), len(pairs)), np.nan)
    for r in gained:
        values[methods.index(r["method"]), pairs.index((r["train"], r["test"]))] = 100 * r["gain"]["mean"]
    limit = max(1.0, float(np.nanmax(np.abs(values)))) if values.size else 1.0
    fig, ax = plt.subplots(figsize=(1.2 * len(pairs) + 2.5, 0.5 * len(methods) + 2))
    image = ax.imshow(values, cmap="RdBu", vmin=-limit, vmax=limit)
    for (i, j), value in np.ndenumerate(values):
        if not np.isnan(value):
            ax.text(j, i, f"{value:+.1f}", ha="center", va="center", fontsize=8)
    ax.set_xticks(range(len(pairs)), [f"{a}→{b}" for a, b in pairs], rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(methods)), methods, fontsize=8)
    fig.colorbar(image, ax=ax, label="UAR gain over the twin (points)")
    fig.tight_layout()
    return _save(fig, path)
