"""The classifier grid behind the cross-corpus matrix and the baseline table, on two built fixture corpora.

EmoDB's dummy data (10 speakers x 2 utterances) and the synthetic corpus share EmoDB's classes; mapped onto the binary
arousal grouping, they form a two-corpus dataset on which every protocol runs in seconds.
"""

import json
import pathlib

import numpy as np
import pytest

from serzoo import cli
from serzoo.experiments import baselines, classifier_grid, cross_corpus
from serzoo.experiments.resume import UnitStore
from serzoo.metrics import classification_summary

DUMMY = pathlib.Path(__file__).resolve().parents[1] / "tfds_builders" / "emodb" / "dummy_data"
SPEC = "emodb+synth_emo/is11+arousal"


@pytest.fixture(scope="module")
def two_corpora(synth_is11, tfds_data_dir):
    return {"data_dir": tfds_data_dir, "manual_dir": f"emodb={DUMMY}"}


def test_subsampling_keeps_every_speaker():
    speakers = np.array(["a"] * 10 + ["b"] * 10)
    rows = classifier_grid.subsample_speakers(speakers, 0.3, np.random.default_rng(0))
    assert len(rows) == 6 and set(speakers[rows]) == {"a", "b"}
    with pytest.raises(ValueError, match="fractions must lie in"):
        classifier_grid.subsample_speakers(speakers, 1.5, np.random.default_rng(0))
    with pytest.raises(ValueError, match="give both or neither"):
        classifier_grid.Cell("x/is11", "corpus-pairs", "global", "svm", 0, method="smote")


@pytest.mark.slow
def test_the_matrix_pools_predictions_per_pair_and_resumes(two_corpora, tmp_path, monkeypatch):
    cells = cross_corpus.matrix_cells(SPEC, normalisations=("corpus",), classifiers=("svm",), seeds=(0, 1))
    assert len(cells) == 3  # the deterministic SVM on full data runs once per scheme
    store = UnitStore(tmp_path, {"experiment": "test"})
    result = cross_corpus.run_matrix(cells, store=store, progress=False, **two_corpora)
    assert result["corpora"] == ["emodb", "synth_emo"] and result["classes"] == ["low", "high"]
    pairs = {(r["train"], r["test"]): r for r in result["rows"]}
    assert set(pairs) == {
        ("emodb", "emodb"),
        ("synth_emo", "synth_emo"),
        ("emodb", "synth_emo"),
        ("synth_emo", "emodb"),
        ("others", "emodb"),
        ("others", "synth_emo"),
    }
    assert np.sum(pairs["emodb", "synth_emo"]["confusion"]) == 280  # the whole target
    assert np.sum(pairs["emodb", "emodb"]["confusion"]) == 20  # leave one speaker out inside EmoDB, pooled
    assert pairs["emodb", "synth_emo"]["n_real"] == 20 and pairs["synth_emo", "emodb"]["n_real"] == 280
    stored = [
        unit
        for key, unit in store.units.items()
        if key.endswith("|emodb->synth_emo") and "|corpus-pairs|corpus|svm|" in key
    ]
    assert len(stored) == 1
    expected = classification_summary(stored[0]["y_true"], stored[0]["y_pred"], 2)["uar"]
    assert pairs["emodb", "synth_emo"]["uar"]["mean"] == pytest.approx(expected)
    table = cross_corpus.matrix_table(result, "svm", "corpus")
    assert table.splitlines()[0] == "| train ↓ test → | emodb | synth_emo |"
    assert "| others | " in table

    def no_training(*args):
        raise AssertionError("a finished unit was computed again")

    monkeypatch.setattr(classifier_grid, "_compute_unit", no_training)
    again = cross_corpus.run_matrix(
        cells, store=UnitStore(tmp_path, {"experiment": "test"}), progress=False, **two_corpora
    )
    assert again["rows"] == result["rows"]


@pytest.mark.slow
def test_low_resource_pairs_use_a_fraction_and_synthetic_rows(two_corpora):
    cells = cross_corpus.matrix_cells(
        SPEC,
        fold_schemes=("corpus-pairs",),
        normalisations=("global",),
        classifiers=("svm",),
        seeds=(0,),
        fractions=(0.5, 1.0),
        n_synthetic=(0, 30),
        method="smote",
    )
    result = cross_corpus.run_matrix(cells, progress=False, held_out=["synth_emo->emodb"], **two_corpora)
    rows = {(r["fraction"], r["n_synthetic"]): r for r in result["rows"]}
    assert set(rows) == {(0.5, 0), (0.5, 30), (1.0, 0), (1.0, 30)}
    assert rows[0.5, 0]["n_real"] == 140 and rows[1.0, 30]["n_real"] == 280
    table = cross_corpus.low_resource_table(result, "synth_emo", "emodb", "svm", "global")
    assert "| 50 |" in table and "N = 30" in table


@pytest.mark.slow
def test_baselines_table_over_classes_and_normalisations(two_corpora):
    cells = baselines.baseline_cells(
        ["emodb"], ["is11"], ["all", "arousal"], ["global", "speaker"], ["svm", "dnn"], seeds=(0, 1)
    )
    assert len(cells) == 2 * 2 * (1 + 2)
    result = baselines.run_baselines(
        cells,
        classifier_options={"dnn": {"epochs": 2}},
        held_out=["speaker03", "speaker16"],
        progress=False,
        **two_corpora,
    )
    rows = {(r["classes"], r["normalisation"], r["classifier"]): r for r in result["rows"]}
    assert rows["arousal", "speaker", "dnn"]["seeds"] == [0, 1] and rows["all", "global", "svm"]["seeds"] == [0]
    assert rows["all", "global", "svm"]["folds"] == 2 and rows["all", "global", "svm"]["n_test"] == 4
    table = baselines.baselines_table(result)
    assert "| emodb | is11 | arousal | speaker | 2 |" in table and "DNN UAR %" in table


@pytest.mark.slow
def test_cross_corpus_and_baselines_commands(two_corpora, tmp_path, capsys):
    data_dir = str(two_corpora["data_dir"])
    out = tmp_path / "matrix"
    common = ["--manual-dir", f"emodb={DUMMY}", "--data-dir", data_dir, "--jobs", "1"]
    code = cli.main(
        ["cross-corpus", "--dataset", SPEC, "--classifiers", "svm", "--seeds", "0", "--normalisations", "corpus"]
        + common
        + ["--output-dir", str(out)]
    )
    assert code == 0 and (out / "matrix.png").stat().st_size > 0
    report = (out / "report.md").read_text()
    assert "## svm, corpus normalisation" in report and "| emodb |" in report
    assert json.loads((out / "results.json").read_text())["dataset"] == SPEC
    out = tmp_path / "baselines"
    code = cli.main(
        ["baselines", "--corpora", "emodb", "--feature-sets", "is11", "--classes", "all", "--classifiers", "svm"]
        + ["--normalisations", "global"]
        + common
        + ["--output-dir", str(out)]
    )
    assert code == 0 and (out / "baselines.png").stat().st_size > 0
    assert "| emodb | is11 | all | global | 10 |" in capsys.readouterr().out
