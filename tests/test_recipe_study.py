"""The recipe study and its swap-halves protocol (``serzoo reproduce yi-mak-emodb --protocol swap-halves``)."""

import json

import numpy as np
import pytest

from serzoo.experiments import recipe_study as study

#: Two cheap cells: the paper's k sets, and calibration + weight 0.3 at constant updates.
TINY_GRID = {"paper": ({}, (1,)), "cal+w0.3": ({"calibration": 1.0, "synthetic_weight": 0.3}, (1, 2))}


def _record(cell_method, recipe, k, seed, fold, correct):
    y_true = [0, 1, 0, 1]
    y_pred = y_true if correct else [1, 0, 1, 0]
    return {
        "seed": seed,
        "fold": fold,
        "method": cell_method,
        "recipe": recipe,
        "k": k,
        "classifier": "dnn",
        "y_true": y_true,
        "y_pred": y_pred,
    }


def test_swap_halves_chooses_each_half_on_the_other_half_only():
    # Cell x is perfect on half A and wrong on half B; cell y the reverse. Chosen on the other half, each half gets
    # the cell that is wrong on it: a selection that peeked at its own half would score 100 %.
    halves = (["a1", "a2"], ["b1", "b2"])
    records = []
    for seed in (0, 1):
        for fold in halves[0] + halves[1]:
            on_a = fold.startswith("a")
            records.append(_record("wadan", "x", 10, seed, fold, correct=on_a))
            records.append(_record("wadan", "y", 10, seed, fold, correct=not on_a))
            records.append(_record("none", "none", 0, seed, fold, correct=fold.endswith("1")))
    result = study.analyse({"records": records, "seeds": [0, 1]}, halves, n_classes=2, generators=["wadan"])
    swap = result["swap_halves"]["generators"]
    chosen = {tuple(c["evaluated_on"]): c["cell"] for c in swap["choices"]}
    assert chosen == {("a1", "a2"): "wadan:y@k10", ("b1", "b2"): "wadan:x@k10"}
    assert swap["uar"] == 0.0 and swap["gain"]["mean"] == pytest.approx(-50.0)
    assert swap["gain"]["down"] == 2 and swap["gain"]["up"] == 0  # the folds 'none' got right
    assert result["table"]["wadan:x@k10"]["uar"] == pytest.approx(0.5)  # the all-fold ablation is post hoc


def test_pooled_scores_pool_predictions_over_folds_per_seed():
    index = {("c", 0, "f1"): ([0, 0], [0, 0]), ("c", 0, "f2"): ([1, 1], [0, 0])}
    score = study.pooled_scores(index, {"f1": "c", "f2": "c"}, [0], ["f1", "f2"], 2)
    assert score["uar"] == pytest.approx(0.5) and score["fold_uar"] == {"f1": 1.0, "f2": 0.0}
    assert study.pooled_scores(index, {"f1": "c", "f2": "c"}, [0, 1], ["f1", "f2"], 2) is None  # seed 1 missing


def test_grid_cells_skip_latent_interpolation_without_a_decoder_and_the_key_follows_the_grid():
    class NoDecoder:
        model = None

    names = {name for name, _, _ in study.grid_cells(NoDecoder())}
    assert "lerp" not in names and "lerp" in {name for name, _, _ in study.grid_cells(None)}
    assert study.grid_key(TINY_GRID) != study.grid_key(None)
    assert len(study.grid_cells(None, TINY_GRID)) == 3


@pytest.mark.slow
def test_study_fits_each_augmenter_once_per_fold_resumes_and_reports(synth_is11, tfds_data_dir, tmp_path, monkeypatch):
    from serzoo import augmenters

    fits = []
    original = augmenters.Smote.fit

    def spy(self, x, y, n_classes):
        fits.append(len(y))
        return original(self, x, y, n_classes)

    monkeypatch.setattr(augmenters.Smote, "fit", spy)
    kwargs = dict(
        dataset="synth_emo/is11",
        data_dir=tfds_data_dir,
        output_dir=tmp_path,
        methods=("smote",),
        seeds=(0,),
        classifiers=("svm",),
        grid=TINY_GRID,
        log=lambda *_: None,
    )
    result = study.reproduce_swap_halves(**kwargs)
    assert fits == [252] * 10  # one fit per fold (9 of 10 speakers × 28 utterances), not one per cell
    predictions = json.loads((tmp_path / "predictions.json").read_text())
    cells = {(r["fold"], study.cell_label(r)) for r in predictions}
    assert len(cells) == 10 * 4  # none + 3 cells in every fold
    swap = result["analyses"]["svm"]["swap_halves"]["smote"]
    assert {tuple(c["evaluated_on"]) for c in swap["choices"]} == {tuple(h) for h in result["halves"]}
    for choice in swap["choices"]:  # each half's cell is the best on the other half
        other = choice["chosen_on"]
        index = study._index(predictions, "svm")
        best = max(
            study.pooled_scores(index, {f: c for f in other}, [0], other, synth_is11.n_classes)["uar"]
            for c in {study.cell_label(r) for r in predictions if r["method"] == "smote"}
        )
        assert choice["selection_uar"] == pytest.approx(best)
    report = (tmp_path / "report.md").read_text()
    assert "swap-halves result" in report and "smote:cal+w0.3@k2" in report
    assert (tmp_path / "uar_vs_k_svm.png").stat().st_size > 0 and (tmp_path / "recipe_gains_svm.png").exists()
    calibrated = [d for d in result_diagnostics(tmp_path) if d["recipe"] == "cal+w0.3"]
    assert calibrated and all(d["calibration_mean_gap"] is not None for d in calibrated)

    study.reproduce_swap_halves(**kwargs)  # resumed: nothing is fitted again
    assert len(fits) == 10
    assert np.isclose(
        study.reproduce_swap_halves(**kwargs)["analyses"]["svm"]["table"]["none"]["uar"],
        result["analyses"]["svm"]["table"]["none"]["uar"],
    )


def result_diagnostics(folder):
    lines = (folder / "units.jsonl").read_text().splitlines()[1:]
    return [d for line in lines for d in json.loads(line)["payload"]["diagnostics"]]


def test_swap_halves_refuses_options_it_would_ignore(capsys):
    from serzoo.cli import main

    assert (
        main(
            [
                "reproduce",
                "yi-mak-emodb",
                "--dataset",
                "synth_emo/is11",
                "--protocol",
                "swap-halves",
                "--recipe",
                '{"synthetic_weight": 0.3}',
            ]
        )
        == 2
    )
    assert "--recipe do not apply to --protocol swap-halves" in capsys.readouterr().err


@pytest.mark.slow
def test_tuned_classifier_options_reach_every_cell_of_their_folds_and_key_the_units(
    synth_is11, tfds_data_dir, tmp_path, monkeypatch
):
    from serzoo.hparams import ClassifierSetting

    seen = []
    original = study.make_classifier

    def spy(name, seed=0, **options):
        seen.append(options.get("c"))
        return original(name, seed=seed, **options)

    monkeypatch.setattr(study, "make_classifier", spy)
    halves = [[f"speaker{i:02d}" for i in range(1, 6)], [f"speaker{i:02d}" for i in range(6, 11)]]
    settings = [
        ClassifierSetting("svm", {"c": c}, "synth_emo/is11", tuple(dev), tuple(other), source=f"half{n}")
        for n, c, dev, other in ((0, 0.5, halves[0], halves[1]), (1, 2.0, halves[1], halves[0]))
    ]
    kwargs = dict(
        dataset="synth_emo/is11",
        data_dir=tfds_data_dir,
        output_dir=tmp_path,
        methods=("noise",),
        seeds=(0,),
        classifiers=("svm",),
        grid={"paper": ({}, (1,))},
        log=lambda *_: None,
    )
    result = study.reproduce_swap_halves(**kwargs, classifier_settings=settings)
    assert sorted(seen) == [0.5] * 10 + [2.0] * 10  # none + paper@k1 in each of the 10 folds
    assert result["classifier_settings"][0]["options"] == {"c": 0.5}
    assert "searched on 01/02/03/04/05" in (tmp_path / "report.md").read_text()
    seen.clear()
    study.reproduce_swap_halves(**kwargs)  # the default classifier's units are other units: computed, not reused
    assert seen == [None] * 20
    with pytest.raises(ValueError, match="unknown recipe"):
        study.select_grid(["paper", "nope"])


def test_swap_halves_options_are_refused_by_the_table_protocol(capsys):
    from serzoo.cli import main

    assert (
        main(
            [
                "reproduce",
                "yi-mak-emodb",
                "--dataset",
                "synth_emo/is11",
                "--recipes",
                "cu",
                "--classifier-hparams",
                "a.json,b.json",
            ]
        )
        == 2
    )
    assert "--recipes, --classifier-hparams belong(s) to --protocol swap-halves" in capsys.readouterr().err
