"""The one report writer: every command's ``report.md``, ``results.json`` (and figures beside them), plus the
Markdown tables shared by several reports."""

from __future__ import annotations

import json
import os
import pathlib
import tempfile


def write_json(obj, path) -> pathlib.Path:
    """Write ``obj`` as indented JSON atomically (temporary file, then rename)."""
    return write_text(json.dumps(obj, indent=2) + "\n", path)


def write_report(output_dir, markdown: str, results, *, extra_json: dict | None = None) -> pathlib.Path:
    """Write ``report.md`` and ``results.json`` (and ``extra_json`` = {file name: object}) into ``output_dir``.

    Each file is written atomically; figures are written beside them by :mod:`serzoo.plots` and linked from
    ``markdown``. Returns the path of ``report.md``.
    """
    out = pathlib.Path(output_dir)
    write_json(results, out / "results.json")
    for name, obj in (extra_json or {}).items():
        write_json(obj, out / name)
    return write_text(markdown if markdown.endswith("\n") else markdown + "\n", out / "report.md")


def format_gain(gain) -> str:
    """``+1.23 ± 0.45 (6↑ 3↓)`` for a :func:`serzoo.metrics.paired_uar_gain` (``–`` for none)."""
    return "–" if not gain else f"{gain['mean']:+.2f} ± {gain['std']:.2f} ({gain['up']}↑ {gain['down']}↓)"


def write_text(text: str, path) -> pathlib.Path:
    """Write ``text`` atomically (temporary file, then rename)."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
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
    lines += [f"| {f['fold']} | {f['n']} | {100 * f['uar']:.2f} | {100 * f['wa']:.2f} |" for f in result["folds"]]
    return "\n".join(lines)
