"""Make the pretrained presets shipped in ``exported/`` from a finished recipe study (issue 17).

    python benchmarks/make_presets.py --manual-dir $SERZOO_EMODB_DIR \\
        --study benchmarks/results/recipes_swap_halves_emodb_is11

The generator-based cells the two halves chose under the swap-halves protocol are the candidates; the preset uses
the one with the best UAR over all ten folds (a deployed model may use all speakers to choose, as the final model of
a cross-validation does; its utility is estimated by the swap-halves result, which never chose on a test speaker).
Each preset's generator is trained on all ten EmoDB speakers (seed 0, the ``serzoo`` training preset) and exported
with the recipe, its k and the measured utility in the manifest, plus ``MODEL_CARD.md`` beside the versions.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time

from serzoo import quiet

INTENDED_USE = (
    "Augmenting the training set of an utterance-level emotion classifier on openSMILE features of the same "
    "feature set, for the seven EmoDB classes in the manifest's order, through `serzoo.augment(x, y, path, "
    "feature_set=..., class_names=...)` (which applies the recipe in the z-normalised space of *your* data and "
    "returns per-row loss weights for the classifier), or with plain `tf.saved_model.load` and the `generate` "
    "endpoint. A starting point to measure against on your own corpus, not a guaranteed gain."
)
LIMITS = (
    "Trained on acted German speech of 10 speakers (5 female, 5 male; 535 utterances, EmoDB, CC0). The gain was "
    "measured on the same corpus (leave-one-speaker-out, speakers never used to choose their own recipe), with a "
    "DNN classifier only (see the verdict above). Spontaneous speech, other "
    "languages, other recording conditions and other classifiers are untested. The samples are feature vectors, "
    "not audio; the generator has seen every EmoDB speaker, so do not evaluate it on EmoDB."
)


def choose_cell(analysis: dict) -> tuple[str, dict]:
    """The generator cell of the preset: of the cells the halves chose, the best on all folds."""
    swap = analysis["swap_halves"]["generators"]
    candidates = {choice["cell"] for choice in swap["choices"]}
    best = max(candidates, key=lambda cell: analysis["table"][cell]["uar"])
    return best, swap


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manual-dir", required=True)
    parser.add_argument("--study", required=True, help="output folder of the recipe study (results.json)")
    parser.add_argument("--feature-sets", default="is11,is10")
    parser.add_argument("--root", default="exported")
    parser.add_argument("--overwrite", action="store_true")
    parser.add_argument(
        "--cards-only",
        action="store_true",
        help="rewrite MODEL_CARD.md of the existing presets from their manifests (no training)",
    )
    args = parser.parse_args(argv)
    quiet.import_tensorflow_quietly()

    from serzoo.data import load_corpus
    from serzoo.experiments.train_export import train_and_export
    from serzoo.export import read_manifest
    from serzoo.report import write_text
    from serzoo.zoo import model_card

    study = json.loads((pathlib.Path(args.study) / "results.json").read_text())
    analysis = study["analyses"]["dnn"]
    cell, swap = choose_cell(analysis)
    method, rest = cell.split(":", 1)
    recipe_name, k = rest.rsplit("@k", 1)
    recipe = study["grid"][recipe_name]["recipe"]
    none = analysis["table"]["none"]
    utility = {
        "protocol": f"{study['dataset']}, leave-one-speaker-out over 10 folds, swap halves (each half's recipe chosen "
        f"on the other half's folds), {study['normalisation']} z-norm",
        "measured_on": study["dataset"],
        "classifier": "dnn",
        "seeds": len(study["seeds"]),
        "uar_with": 100 * swap["uar"],
        "uar_without": 100 * none["uar"],
        "gain_mean": swap["gain"]["mean"],
        "gain_std": swap["gain"]["std"],
        "folds_up": swap["gain"]["up"],
        "folds_down": swap["gain"]["down"],
        "chosen_per_half": [{"evaluated_on": c["evaluated_on"], "cell": c["cell"]} for c in swap["choices"]],
        "this_recipe_on_all_folds": {
            "uar": 100 * analysis["table"][cell]["uar"],
            "gain_mean": analysis["table"][cell]["gain"]["mean"],
            "gain_std": analysis["table"][cell]["gain"]["std"],
            "post_hoc": True,
        },
        "note": "The swap-halves numbers estimate the procedure (choose the recipe on other speakers); "
        f"{cell} on all folds is post hoc.",
    }
    for feature_set in args.feature_sets.split(","):
        start = time.perf_counter()
        corpus = load_corpus(f"emodb/{feature_set}", manual_dir=args.manual_dir)
        measured = dict(utility)
        if f"emodb/{feature_set}" != study["dataset"]:
            measured["note"] += f" Measured on {study['dataset']} features, not on {feature_set}."
        name = f"{method}_emodb_{feature_set}"
        if args.cards_only:
            path = pathlib.Path(args.root) / name / "1"
        else:
            path, _, _ = train_and_export(
                corpus,
                method,
                seed=0,
                root=args.root,
                name=name,
                overwrite=args.overwrite,
                recipe=recipe,
                recipe_k=int(k),
                extra_manifest={"utility": measured},
            )
        manifest = read_manifest(path)
        cost = "" if args.cards_only else f" (training and export {time.perf_counter() - start:.0f} s on 2 cores)"
        commands = (
            f"`python benchmarks/make_presets.py --manual-dir $SERZOO_EMODB_DIR --study {args.study}`"
            f"{cost}; the study: "
            "`serzoo reproduce yi-mak-emodb --protocol swap-halves --manual-dir $SERZOO_EMODB_DIR "
            f"--seeds 0,1,2 --jobs 2 --output-dir {args.study}`."
        )
        write_text(
            model_card(manifest, intended_use=INTENDED_USE, limits=LIMITS, commands=commands),
            pathlib.Path(args.root) / name / "MODEL_CARD.md",
        )
        print(f"{path}: {cell}, {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
