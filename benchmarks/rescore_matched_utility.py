"""Re-score the finished trials of a `utility` search made before the baseline matched the optimizer updates.

Until 2026-12-04 (stop 26) ``utility`` subtracted the real-only DNN at its own epochs, which makes k sets of Yi &
Mak's recipe look useful by their k + 1 times the updates alone (:mod:`serzoo.tuning.objectives`). Each trial's
``folds.json`` keeps the augmented UAR per inner fold, so the corrected objective needs only the matched real-only
baseline (deterministic, seeded as the search's): this script computes it once, rewrites each completed trial's
``utility`` (score and metric, the old value kept as ``utility_unmatched``) and its ``folds.json``, so that the
Bayesian oracle resumes on the corrected scores. It refuses trials it cannot re-score (searched recipe or classifier
knobs, several executions) and projects already re-scored. Run it with no search running on the project:

    python benchmarks/rescore_matched_utility.py --manual-dir $SERZOO_EMODB_DIR \\
        benchmarks/results/tune/wadan_emodb_is11
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rescore(project: pathlib.Path, manual_dir: str | None, data_dir: str | None = None) -> dict:
    from serzoo.data import load_corpus
    from serzoo.quiet import import_tensorflow_quietly
    from serzoo.tuning.objectives import InnerFolds, matched_real_options

    import_tensorflow_quietly()
    results = json.loads((project / "results.json").read_text())
    if results["objective"] != "utility" or results["tune_classifier"]:
        raise SystemExit(f"{project}: only utility searches with the classifier's defaults can be re-scored")
    corpus = load_corpus(results["dataset"], manual_dir=manual_dir, data_dir=data_dir)
    folds = InnerFolds(corpus.subset(results["protocol"]["development_groups"]), results["protocol"]["normalisation"])
    classifier, k = results["classifier"], int(results["best"]["setting"]["k"])
    matched = {}
    for data in folds.folds:
        n = data.y_train.size
        options = matched_real_options(classifier, {}, n, k * n)
        matched[data.fold.name] = folds.real_uar(data, classifier, options, seed=0)
    changed = {}
    for trial_dir in sorted((project / "search").glob("trial_*")):
        trial_file, folds_file = trial_dir / "trial.json", trial_dir / "folds.json"
        trial = json.loads(trial_file.read_text())
        if trial["status"] != "COMPLETED":
            continue
        values = trial["hyperparameters"]["values"]
        if any(name.startswith(("recipe_", "clf_")) for name in values) or "k" in values:
            raise SystemExit(f"{trial_file}: searched recipe/classifier/k knobs; re-run the trial instead")
        per_fold = json.loads(folds_file.read_text())
        if len(per_fold) != 1:
            raise SystemExit(f"{folds_file}: {len(per_fold)} executions; re-run the trial instead")
        measures = per_fold[0]
        if "uar_real_matched" in measures:
            raise SystemExit(f"{folds_file}: already re-scored")
        augmented = measures["uar_augmented"]
        measures["uar_real_matched"] = {name: matched[name] for name in augmented}
        measures["utility_unmatched"] = measures["utility"]
        measures["utility"] = {name: augmented[name] - matched[name] for name in augmented}
        utility = sum(measures["utility"].values()) / len(augmented)
        metrics = trial["metrics"]["metrics"]
        metrics["utility_unmatched"] = json.loads(json.dumps(metrics["utility"]))
        metrics["utility"]["observations"][0]["value"] = [utility]
        mean_matched = sum(measures["uar_real_matched"].values()) / len(augmented)
        metrics["uar_real_matched"] = {"direction": "min", "observations": [{"value": [mean_matched], "step": 0}]}
        changed[trial["trial_id"]] = (trial["score"], utility)
        trial["score"] = utility
        folds_file.write_text(json.dumps(per_fold, indent=1))
        trial_file.write_text(json.dumps(trial))
    return {"matched_baseline": matched, "trials": changed}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=pathlib.Path, help="the search's --output-dir")
    parser.add_argument("--manual-dir", default=None)
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args(argv)
    out = rescore(args.project, args.manual_dir, args.data_dir)
    print(
        "real-only DNN at matched updates per inner fold:",
        {name: round(100 * uar, 2) for name, uar in out["matched_baseline"].items()},
    )
    for trial_id, (old, new) in out["trials"].items():
        print(f"trial {trial_id}: utility {100 * old:+.2f} → {100 * new:+.2f} points")


if __name__ == "__main__":
    main()
