"""The report of a search: trials table, objective per trial, each hyperparameter against the objective, which
hyperparameters matter, and the evaluation on the evaluation speakers. Written by :mod:`serzoo.report`."""

from __future__ import annotations

import json
import pathlib

import numpy as np


def importance(rows: list[dict], names: list[str], seed: int = 0) -> dict[str, float]:
    """How much each hyperparameter explains the objective over the completed trials: the impurity importance
    of a random forest regressing the objective on the values (log10 of log-spaced ones, category index of
    choices). Needs at least 5 completed trials; {} otherwise. A rough guide, not a test."""
    from sklearn.ensemble import RandomForestRegressor

    if len(rows) < 5 or not names:
        return {}
    columns = []
    for name in names:
        values = [r["hyperparameters"].get(name) for r in rows]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            v = np.array(values, float)
            columns.append(np.log10(v) if (v > 0).all() and v.max() / v.min() > 10 else v)
        else:
            labels = sorted({str(v) for v in values})
            columns.append(np.array([labels.index(str(v)) for v in values], float))
    forest = RandomForestRegressor(200, random_state=seed).fit(np.stack(columns, 1), [r["score"] for r in rows])
    return dict(sorted(zip(names, forest.feature_importances_.tolist()), key=lambda item: -item[1]))


#: Sample-quality measures a trial may record beside its objective (:mod:`serzoo.tuning.objectives`).
QUALITY_MEASURES = ("mmd", "trts", "tstr", "fid", "spread")
#: A best trial whose samples keep less of the real within-class variety than this has collapsed.
COLLAPSED_SPREAD = 0.01


def quality_correlations(rows: list[dict], objective: str) -> dict[str, dict]:
    """Spearman rank correlation (rho, p) of the objective with each sample-quality measure the completed trials
    recorded (at least 5 trials with finite values, not all equal: a constant has no ranks to correlate); tells
    whether better-scoring trials made samples closer to or farther from the data."""
    from scipy.stats import spearmanr

    out = {}
    for name in QUALITY_MEASURES:
        if name == objective:
            continue
        pairs = [(r["score"], r["metrics"].get(name)) for r in rows]
        pairs = [(a, b) for a, b in pairs if b is not None and np.isfinite(b)]
        if len(pairs) >= 5 and len({b for _, b in pairs}) > 1:
            rho, p = spearmanr(*zip(*pairs))
            out[name] = {"rho": float(rho), "p": float(p), "n": len(pairs)}
    return out


def write_search_report(out, result: dict, oracle) -> str:
    """Write ``report.md``, ``results.json`` and the figures into ``out``; return the Markdown."""
    from serzoo import plots
    from serzoo.report import write_report

    out = pathlib.Path(out)
    rows = result["trials"]
    completed = [r for r in rows if r["status"] == "COMPLETED" and r["score"] is not None]
    names = sorted({n for r in rows for n in r["hyperparameters"] if not n.startswith("tuner/")})
    maximise = result["direction"] == "max"
    figures = [
        plots.search_progress_png(
            [r["score"] if r["status"] == "COMPLETED" else None for r in rows],
            result["objective"],
            maximise,
            out / "objective_per_trial.png",
        ).name
    ]
    if completed and names:
        figures.append(
            plots.hyperparameter_scatter_png(completed, names, result["objective"], out / "hyperparameters.png").name
        )
    result["importance"] = importance(completed, names, result["seed"])
    result["quality_correlations"] = quality_correlations(completed, result["objective"])
    measures = [m for m in QUALITY_MEASURES if m != result["objective"] and any(m in r["metrics"] for r in completed)]
    md = [
        f"# Search: {result['scheme'] or result['classifier']} on {result['dataset']}",
        "",
        f"Tuner {result['tuner']}, objective `{result['objective']}` ({result['direction']}imised), classifier "
        f"{result['classifier']}{' (its knobs searched too)' if result['tune_classifier'] else ''}.",
        f"Development groups (the only ones the search saw, inner leave-one-out): "
        f"{', '.join(result['protocol']['development_groups'])}. Evaluation groups: "
        f"{', '.join(result['protocol']['evaluation_groups'])}.",
        "",
        f"Trials: {', '.join(f'{n} {s.lower()}' for s, n in sorted(result['counts'].items()))}.",
    ]
    if result.get("stopped_early"):
        md.append(f"The search stopped early: {result['stopped_early']}")
    for failure in result["failed"]:
        md.append(f"- trial {failure['trial_id']} failed: {failure['reason']}")
    if "best" in result:
        best = result["best"]
        written = "best_hparams.json" if result["scheme"] else "best_classifier.json"
        md += [
            "",
            f"Best trial {best['trial_id']}: {result['objective']} = {best['value']:.4f}; written to `{written}`.",
            "",
            "| hyperparameter | value |",
            "|---|---|",
        ]
        md += [f"| {name} | {_fmt(value)} |" for name, value in best["hyperparameters"].items()]
        spread = next((r["metrics"].get("spread") for r in rows if r["trial_id"] == best["trial_id"]), None)
        if spread is not None and spread < COLLAPSED_SPREAD:
            md += [
                "",
                f"**Its generator has collapsed** (spread {spread:.2g}): every synthetic sample of a class is "
                "the same point, so the objective measures what adding copies of one point does, not what "
                "synthetic data is worth; look at the best trials with a spread near 1 as well.",
            ]
    if result["importance"]:
        md += [
            "",
            "Which hyperparameters matter (random-forest importance over the completed trials):",
            "",
            "| hyperparameter | importance |",
            "|---|---|",
        ]
        md += [f"| {name} | {value:.2f} |" for name, value in result["importance"].items()]
    if result["quality_correlations"]:
        md += [
            "",
            "The objective against the samples' quality (Spearman over the completed trials; MMD and FID "
            "fall as samples come closer to the data, TRTS and TSTR rise; spread is 0 for one point per class, 1 "
            "for the real data's variety):",
            "",
            "| measure | rho | p | trials |",
            "|---|---|---|---|",
        ]
        md += [
            f"| {name} | {c['rho']:+.2f} | {c['p']:.2g} | {c['n']} |"
            for name, c in result["quality_correlations"].items()
        ]
    columns = [*measures, *names]
    md += [
        "",
        "## Trials",
        "",
        "| trial | status | " + result["objective"] + " | " + " | ".join(columns) + " |",
        "|---|---|---|" + "---|" * len(columns),
    ]
    for r in rows:
        score = f"{r['score']:.4f}" if r["score"] is not None and r["status"] == "COMPLETED" else r["reason"][:60]
        cells = [_fmt(r["metrics"].get(m)) for m in measures]
        cells += [_fmt(r["hyperparameters"].get(n)) for n in names]
        md.append(f"| {r['trial_id']} | {r['status'].lower()} | {score} | " + " | ".join(cells) + " |")
    md += ["", *[f"![{name}]({name})" for name in figures]]
    if "evaluation" in result:
        md += ["", *evaluation_markdown(result["evaluation"])]
    text = "\n".join(md)
    write_report(out, text, result)
    return text


def evaluation_markdown(evaluation: dict) -> list[str]:
    lines = [
        f"## Evaluation speakers ({', '.join(evaluation['groups'])}), k = {evaluation['k']}, "
        f"seeds {evaluation['seeds']}",
        "",
        "Leave-one-speaker-out folds of the evaluation speakers; generator and classifier trained on all other "
        "speakers. Gain = paired difference to no augmentation per seed, mean ± std.",
        "",
        "| method | UAR % | WA % | gain (UAR points) | folds up / down |",
        "|---|---|---|---|---|",
    ]
    matched = any("gain_matched" in row for row in evaluation["table"])
    if matched:
        lines[-2] += " gain over none_matched (equal updates) | folds up / down |"
        lines[-1] += "---|---|"
    for row in evaluation["table"]:
        lines.append(
            f"| {row['method']} | {100 * row['uar']:.2f} ± {100 * row['uar_std']:.2f} | "
            f"{100 * row['wa']:.2f} ± {100 * row['wa_std']:.2f} | "
            f"{100 * row['gain']:+.2f} ± {100 * row['gain_std']:.2f} | "
            f"{row['folds_up']} / {row['folds_down']} |"
        )
        if matched:
            lines[-1] += (
                f" {100 * row['gain_matched']:+.2f} ± {100 * row['gain_matched_std']:.2f} | "
                f"{row['folds_up_matched']} / {row['folds_down_matched']} |"
            )
    lines += ["", "Training: " + "; ".join(f"{m}: {t}" for m, t in evaluation["training"].items())]
    return lines


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return "" if value is None else str(value)


def write_pooled_report(out, result: dict) -> str:
    """``report.md`` / ``results.json`` of a swap-halves or nested run: what each search chose, the pooled table."""
    from serzoo.report import write_report

    title = {"swap-halves": "Swap halves", "nested": "Nested search per outer fold"}[result["protocol"]]
    md = [
        f"# {title}: {result['scheme'] or 'the classifier alone'} on {result['dataset']}",
        "",
        "Each fold's settings were chosen by a search on other speakers only (inner leave-one-out), so every fold "
        "below is evaluated with settings chosen without its speaker.",
        "",
    ]
    for half in result["halves"]:
        best = half["best"] or {}
        md.append(
            f"- searched on {', '.join(half['development_groups'])} → evaluated on "
            f"{', '.join(half['evaluation_groups'])}; chose {json.dumps(best.get('hyperparameters', {}))}"
        )
    md += [
        "",
        *evaluation_markdown(
            {
                "groups": [g for h in result["halves"] for g in h["evaluation_groups"]],
                "k": result["k"],
                "seeds": result["seeds"],
                "table": result["table"],
                "training": {},
            }
        )[:-2],
    ]
    text = "\n".join(md)
    write_report(out, text, result)
    return text
