"""The one report writer: every command's ``report.md``, ``results.json`` (and figures beside them), plus the
Markdown tables shared by several reports."""

from __future__ import annotations

import contextlib
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
    """Write ``text`` atomically (:func:`atomic_path`)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return pathlib.Path(path)


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path`` to write; on success it replaces ``path`` in one rename, with the
    permissions an ordinary new file gets under the umask. On any error the temporary file is removed and ``path``
    is left as it was (never truncated); an ``OSError`` (disk full, read-only folder) names ``path``.

    Example:
        >>> with atomic_path("out/figure.png") as tmp:     # doctest: +SKIP
        ...     figure.savefig(tmp, format="png")
    """
    from serzoo.staging import follow_umask

    path = pathlib.Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise write_error(path, err) from err
    os.close(handle)
    tmp = pathlib.Path(name)
    try:
        yield tmp
        follow_umask(tmp)
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise write_error(path, err) from err
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_error(path, err: OSError) -> OSError:
    """An ``OSError`` whose message is ``cannot write PATH: REASON`` (one line, no ``[Errno N]`` prefix) and whose
    ``errno`` is ``err``'s: what a command prints when a write fails (disk full, read-only folder)."""
    error = OSError(f"cannot write {path}: {err.strerror or err}")
    error.errno = err.errno
    return error


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
