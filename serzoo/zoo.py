"""The model zoo: pretrained generators shipped in ``exported/`` (``serzoo presets``) and their model cards.

A pretrained preset is an export (:mod:`serzoo.export`) whose manifest also holds the recipe it is meant to be used
with (``recipe``: :class:`serzoo.recipes.Recipe` fields, ``recipe_k``: synthetic sets) and what it was measured to
be worth (``utility``: the protocol, UAR with and without it, the gain with its spread). ``augment(x, y, path)``
applies the manifest's recipe unless the caller gives one. "Preset" has keras-hub's sense here (a pretrained model);
the training schedules ``paper``/``serzoo`` are :mod:`serzoo.schedules` (``serzoo schemes --schedule NAME``).

This module imports neither TensorFlow nor Keras.
"""

from __future__ import annotations

import json
import os
import pathlib

#: Extra folders of presets (``os.pathsep``-separated), searched before the shipped ones.
PRESETS_ENV = "SERZOO_PRESETS_DIR"
_PACKAGE = pathlib.Path(__file__).resolve().parent
#: The budget of the shipped presets together (issue 17; ``tests/test_zoo.py`` measures them).
BUDGET_BYTES = 60 * 1024 * 1024


def preset_roots() -> list[pathlib.Path]:
    """The folders searched for presets, in order: ``$SERZOO_PRESETS_DIR`` (``os.pathsep``-separated), the clone's
    ``exported/`` (serzoo run from a clone or an editable install), the installed package's ``serzoo/exported/``
    (a regular install: setup.py ships the presets there). Only folders that exist."""
    roots = [pathlib.Path(p).expanduser() for p in os.environ.get(PRESETS_ENV, "").split(os.pathsep) if p]
    if (_PACKAGE.parent / "setup.py").is_file():
        roots.append(_PACKAGE.parent / "exported")
    roots.append(_PACKAGE / "exported")
    return [root for root in dict.fromkeys(roots) if root.is_dir()]


def find_presets(root=None, *, problems: list | None = None) -> list[dict]:
    """Every ``<root>/<name>/<version>/manifest.json``, as ``{"path", "name", "version", "manifest", "bytes"}`` sorted
    by path (the hidden staging folders of an export in progress are skipped). ``root=None`` searches
    :func:`preset_roots`; a name found in several roots is taken from the first. A malformed preset raises its
    error, unless ``problems`` is a list: then it is skipped and ``(folder, message)`` appended to it, so that one
    bad preset does not hide the valid ones beside it (``serzoo presets``)."""
    if root is None:
        found, names = [], set()
        for folder in preset_roots():
            here = [p for p in find_presets(folder, problems=problems) if p["name"] not in names]
            names |= {p["name"] for p in here}
            found += here
        return found
    from serzoo.export import read_manifest

    found = []
    for manifest in sorted(pathlib.Path(root).glob("*/*/manifest.json")):
        folder = manifest.parent
        if folder.name.startswith(".") or folder.parent.name.startswith("."):
            continue
        try:
            data = read_manifest(folder)
        except (OSError, ValueError) as err:
            if problems is None:
                raise
            problems.append((str(folder), str(err)))
            continue
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        found.append(
            {"path": str(folder), "name": folder.parent.name, "version": folder.name, "manifest": data, "bytes": size}
        )
    return found


def recipe_of(manifest: dict):
    """``(Recipe, k)`` a preset is meant to be used with, or ``(None, None)`` for a plain export."""
    from serzoo.recipes import Recipe

    if "recipe" not in manifest:
        return None, None
    return Recipe.from_dict(manifest["recipe"]), int(manifest.get("recipe_k", 1))


def describe_recipe(manifest: dict) -> str:
    recipe, k = recipe_of(manifest)
    if recipe is None:
        return "none (k sets at weight 1)"
    return f"k={k}" + (f", {recipe.tag}" if recipe.tag else "")


def describe_utility(manifest: dict) -> str:
    utility = manifest.get("utility")
    if not utility:
        return "not measured"
    return (
        f"{utility['gain_mean']:+.2f} ± {utility['gain_std']:.2f} UAR points with the {utility['classifier']} "
        f"({utility['protocol']})"
    )


def presets_table(root=None) -> str:
    """Markdown table of the presets under ``root`` (default: :func:`preset_roots`; ``serzoo presets``)."""
    problems: list = []
    presets = find_presets(root, problems=problems)
    skipped = [f"skipped {folder}: {message}" for folder, message in problems]
    if not presets:
        searched = [str(root)] if root is not None else [str(r) for r in preset_roots()] or ["(no preset folder)"]
        return "\n".join(
            [
                f"no exported generators in {', '.join(searched)}; `serzoo export` writes them, "
                f"and ${PRESETS_ENV} adds folders to the search",
                *skipped,
            ]
        )
    lines = ["| preset | scheme | data | classes | recipe | measured utility | size |", "|---|---|---|---|---|---|---|"]
    for p in presets:
        m = p["manifest"]
        lines.append(
            f"| {p['name']}/{p['version']} | {m.get('scheme', '?')} | {m.get('dataset', '?')}/"
            f"{m.get('feature_set', '?')}, {m.get('n_training_utterances', '?')} utterances | "
            f"{', '.join(m.get('class_names', []))} | {describe_recipe(m)} | {describe_utility(m)} | "
            f"{p['bytes'] / 2**20:.1f} MB |"
        )
    total = sum(p["bytes"] for p in presets)
    lines.append("")
    lines.append(
        f"{len(presets)} presets, {total / 2**20:.1f} MB together. Use one: serzoo.augment(x, y, '<root>/<preset>', "
        "feature_set=..., class_names=...) applies its recipe; MODEL_CARD.md beside each says what it is for."
    )
    return "\n".join([*lines, *skipped])


def model_card(manifest: dict, *, intended_use: str, limits: str, commands: str) -> str:
    """The Markdown model card of a preset: data, protocol, recipe, measured utility, intended use, limits."""
    utility = manifest.get("utility") or {}
    quality = manifest.get("metrics_at_export", {})
    lines = [
        f"# {manifest['scheme']} on {manifest['dataset']}/{manifest['feature_set']}: model card",
        "",
        "## What it is",
        f"A {manifest['scheme']} generator ({manifest.get('scheme_class', '')}) of openSMILE "
        f"`{manifest['feature_set']}` utterance features ({manifest['feature_dim']} values, original openSMILE scale) "
        f"for the classes {', '.join(manifest['class_names'])}. Training: {manifest.get('training', '')}, seed "
        f"{manifest.get('seed')}; {manifest.get('n_training_utterances')} utterances of the groups "
        f"{', '.join(manifest.get('training_groups', []))}.",
        "",
        "## Recipe it is meant to be used with",
        f"{describe_recipe(manifest)}: `{json.dumps(manifest.get('recipe', {}))}` — applied by "
        "`serzoo.augment(x, y, path)` unless you pass `recipe=`; it returns `(x, y, sample_weight)`.",
        "",
        "## Measured utility",
    ]
    if utility:
        lines += [
            f"{utility['protocol']}: DNN UAR {utility['uar_with']:.2f} % with it vs "
            f"{utility['uar_without']:.2f} % without (gain {utility['gain_mean']:+.2f} ± "
            f"{utility['gain_std']:.2f} points over "
            f"{utility['seeds']} seeds; folds up/down {utility['folds_up']}/{utility['folds_down']}). "
            f"{utility.get('note', '')}"
        ]
        if utility["gain_mean"] - utility["gain_std"] <= 0:
            lines += [
                "",
                "**Verdict: on this corpus it did not improve the classifier** (the gain is not above its "
                "spread over seeds): a baseline to beat and a reproducible starting point, not a recommended "
                "augmentation.",
            ]
    else:
        lines += ["Not measured."]
    lines += [
        "",
        "Generator quality on its own training data at export (normalised space): "
        + ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in quality.items()),
        "",
        "## Intended use",
        intended_use,
        "",
        "## Limits",
        limits,
        "",
        "## How it was made",
        commands,
        "",
    ]
    return "\n".join(lines)
