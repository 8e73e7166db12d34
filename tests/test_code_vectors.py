"""Sahu et al. 2017 code-vector and synthetic-data experiments at toy scale."""

import dataclasses
import json

import pytest

from serzoo import report
from serzoo.experiments.code_vectors import (
    PCA_SIZES,
    REPRESENTATIONS,
    SETTINGS,
    SVM_CS,
    render_report,
    run_code_vectors,
)


@pytest.mark.slow
def test_code_vector_experiment_end_to_end(synth_is11, tmp_path, monkeypatch):
    from serzoo.experiments import code_vectors

    # plumbing, not the choices: 4 speakers (3 inner folds instead of 9; the LDA/PCA SVDs on 4368 features cost
    # most), 2 of the 3 SVM costs, PCA sizes 2 and 10 (84 training rows cannot give 100 components)
    corpus = dataclasses.replace(synth_is11, splits=dict(list(synth_is11.splits.items())[:4]))
    monkeypatch.setattr(code_vectors, "SVM_CS", SVM_CS[1:])
    monkeypatch.setattr(code_vectors, "PCA_SIZES", PCA_SIZES[:2])
    settings = dict(
        epochs=3, ae_code_dim=8, n_synthetic=5, width=16, max_folds=1, progress=False, output_dir=tmp_path / "units"
    )
    result = run_code_vectors(corpus, **settings)
    assert set(result["table"]) == {*REPRESENTATIONS, *SETTINGS}
    for row in result["table"].values():
        assert 0.0 <= row["uar"] <= 1.0 and 0.0 <= row["wa"] <= 1.0
    # the openSMILE SVM on this separable synthetic corpus is far above chance (1/7)
    assert result["table"]["opensmile"]["uar"] > 0.4
    for chosen in result["choices"]:
        assert chosen["opensmile"] in SVM_CS[1:] and chosen["aae"] in SVM_CS[1:]
        assert 1 <= chosen["lda"][0] <= 6 and chosen["pca"][0] in PCA_SIZES[:2] and chosen["pca"][1] in SVM_CS[1:]
    assert result["scatter"]["train"].shape == (84, 2) and result["scatter"]["test"].shape == (28, 2)
    text = render_report(result, tmp_path)
    report.write_report(tmp_path, text, result)
    assert "| aae |" in text and "56.38" in text and (tmp_path / "code_scatter.png").exists()
    assert json.loads((tmp_path / "results.json").read_text())["folds"] == 1

    # finished folds are kept: a second run computes nothing and reports the same
    monkeypatch.setattr(code_vectors, "_compute_fold", None)  # would fail if called
    again = run_code_vectors(corpus, **settings)
    assert again["table"] == result["table"] and again["scatter"]["train"].shape == (84, 2)
