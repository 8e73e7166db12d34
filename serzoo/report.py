"""JSON and Markdown reports of evaluation results."""

from __future__ import annotations

import json
import os
import pathlib
import tempfile


def write_json(obj, path) -> pathlib.Path:
    """Write ``obj`` as indented JSON atomically (temporary file, then rename)."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(obj, stream, indent=2)
        stream.write("\n")
    os.replace(tmp, path)
    return path


def results_table(results: list[dict]) -> str:
    """Markdown table: one row per evaluation result (pooled and fold-mean UAR / WA in %)."""
    lines = [
        "| dataset | classifier | normalisation | folds | UAR % | WA % | fold-mean UAR % | fold-mean WA % |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        m = r["fold_mean"]
        lines.append(
            f"| {r['dataset']} | {r['classifier']} | {r['normalisation']} | {len(r['folds'])} "
            f"| {100 * r['overall']['uar']:.2f} | {100 * r['overall']['wa']:.2f} "
            f"| {100 * m['uar']:.2f} ± {100 * m['uar_std']:.2f} | {100 * m['wa']:.2f} ± {100 * m['wa_std']:.2f} |"
        )
    return "\n".join(lines)


def fold_table(result: dict) -> str:
    """Markdown table of one result's folds."""
    lines = ["| held out | n test | UAR % | WA % |", "|---|---|---|---|"]
    lines += [
        f"| {f['fold']} | {f['n']} | {100 * f['uar']:.2f} | {100 * f['wa']:.2f} |" for f in result["folds"]
    ]
    return "\n".join(lines)
