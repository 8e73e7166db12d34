"""The augmentation harness and the Yi & Mak reproduction, end to end at toy scale."""

import json

import numpy as np
import pytest

from serzoo.experiments import yi_mak
from serzoo.experiments.augmentation_harness import NO_AUGMENTATION, run_augmentation


def test_harness_records_every_cell_and_trains_on_training_speakers_only(synth_is11, monkeypatch):
    from serzoo import augmenters as augment

    seen = []
    original = augment.Duplicate.fit

    def spy(self, x, y, n_classes):
        seen.append(len(y))
        return original(self, x, y, n_classes)

    monkeypatch.setattr(augment.Duplicate, "fit", spy)
    result = run_augmentation(
        synth_is11,
        ["duplicate", "noise"],
        ks=(0, 1, 2),
        headline_k=2,
        classifiers=("svm",),
        seeds=(0, 1),
        max_folds=2,
        progress=False,
    )
    assert seen == [252] * 8  # 9 of 10 speakers × 28 utterances; 2 methods × 2 folds × 2 seeds
    cells = {(r["method"], r["k"], r["synthetic_only"]) for r in result["table"]}
    assert cells == {
        (NO_AUGMENTATION, 0, False),
        ("duplicate", 1, False),
        ("duplicate", 2, False),
        ("noise", 1, False),
        ("noise", 2, False),
        ("duplicate", 2, True),
        ("noise", 2, True),
    }
    for row in result["table"]:
        assert row["n_seeds"] == 2 and 0.2 < row["uar"] <= 1.0
    assert set(result["mmd"]) == {"duplicate", "noise"}
    assert all(len(r["y_true"]) == 28 for r in result["records"])


def test_headline_k_must_be_evaluated(synth_is11):
    with pytest.raises(ValueError, match="headline_k=5 must be one of"):
        run_augmentation(synth_is11, ["duplicate"], ks=(0, 10), headline_k=5)


@pytest.mark.slow
def test_reproduce_writes_tables_beside_the_paper_and_figures(synth_is11, tfds_data_dir, tmp_path):
    out = tmp_path / "repro"
    yi_mak.reproduce(
        dataset="synth_emo/is11",
        data_dir=tfds_data_dir,
        output_dir=out,
        methods=("smote", "wadan"),
        ks=(0, 1),
        headline_k=1,
        classifiers=("svm",),
        epochs=2,
        max_folds=2,
        log=lambda text: None,
    )
    text = (out / "report.md").read_text()
    assert "| wadan | svm |" in text and "81.87" in text and "| none | svm |" in text and "80.56" in text
    assert "Synthetic only" in text and "MMD" in text
    assert {p.name for p in out.glob("*.png")} == {
        "uar_vs_k.png",
        "loss_curves.png",
        "tsne.png",
        "feature_histogram.png",
    }
    results = json.loads((out / "results.json").read_text())
    assert results["epochs"]["wadan"] == 2 and results["headline_k"] == 1
    assert np.isfinite(results["mmd"]["wadan"]["mean"])


@pytest.mark.slow
def test_interrupted_reproduction_resumes_without_redoing_finished_units(
    synth_is11, tfds_data_dir, tmp_path, monkeypatch
):
    from serzoo.experiments import augmentation_harness as augmentation

    out, fitted, drawn = tmp_path / "repro", [], []
    original = augmentation.make_augmenter
    monkeypatch.setattr(yi_mak, "load_corpus", lambda *args, **kwargs: synth_is11)  # loaded once per session

    def tsne_stub(examples, class_names, path, seed=0):  # the figure itself is drawn in the test above
        drawn.append({method: ex["synthetic"].shape for method, ex in examples.items()})
        path.write_bytes(b"")
        return path

    monkeypatch.setattr(yi_mak.plots, "tsne_png", tsne_stub)

    def counting(method, **options):
        fitted.append(method)
        if method == "smote" and len(fitted) == 4:
            raise KeyboardInterrupt  # the run is stopped in fold 2, after its duplicate unit
        return original(method, **options)

    monkeypatch.setattr(augmentation, "make_augmenter", counting)
    settings = dict(
        dataset="synth_emo/is11",
        data_dir=tfds_data_dir,
        output_dir=out,
        methods=("duplicate", "smote"),
        ks=(0, 1),
        headline_k=1,
        classifiers=("svm",),
        max_folds=2,
        log=lambda text: None,
    )
    with pytest.raises(KeyboardInterrupt):
        yi_mak.reproduce(**settings)
    assert fitted == ["duplicate", "smote", "duplicate", "smote"]
    with (out / "units.jsonl").open("a") as handle:
        handle.write('{"key": "seed0/speaker')  # a line cut short by the interruption
    fitted.clear()
    resumed = yi_mak.reproduce(**settings)
    assert fitted == ["smote"]  # only the unfinished unit is redone
    fitted.clear()
    monkeypatch.setattr(augmentation, "make_augmenter", original)
    uninterrupted = yi_mak.reproduce(**{**settings, "output_dir": tmp_path / "whole"})
    assert resumed["table"] == uninterrupted["table"]
    shared, groups = tmp_path / "shared", list(synth_is11.splits)[:2]
    with pytest.raises(ValueError, match="no fold is finished"):
        yi_mak.reproduce(**{**settings, "output_dir": shared, "report_only": True})
    for group in groups:  # as two processes sharing one output dir, one fold each
        yi_mak.reproduce(**{**settings, "output_dir": shared, "held_out": [group]})
        progress = yi_mak.reproduce(**{**settings, "output_dir": shared, "report_only": True})
        assert progress["folds"] == groups[: groups.index(group) + 1]  # computes nothing, reports finished folds
    monkeypatch.setattr(augmentation, "make_augmenter", counting)
    fitted.clear()
    assert yi_mak.reproduce(**{**settings, "output_dir": shared})["table"] == uninterrupted["table"]
    assert fitted == []  # the full run reuses both processes' units
    monkeypatch.setattr(augmentation, "make_augmenter", original)
    assert (out / "tsne.png").exists()  # drawn from the SMOTE example saved before the interruption
    assert list(drawn[0]) == ["smote"] and drawn[0]["smote"][0] == 252  # fold 1: 9 speakers x 28
    with pytest.raises(ValueError, match=r"units\.jsonl holds units of a run with different settings \(ks\)"):
        yi_mak.reproduce(**{**settings, "ks": (0, 2), "headline_k": 2})
    yi_mak.reproduce(**{**settings, "ks": (0, 2), "headline_k": 2, "fresh": True})
    monkeypatch.setattr(augmentation, "make_augmenter", counting)
    fitted.clear()
    yi_mak.reproduce(**{**settings, "ks": (0, 2), "headline_k": 2, "methods": ("duplicate", "smote", "noise")})
    assert fitted == ["noise", "noise"]  # a method added to a finished run: only its units are computed


def test_paired_uar_gain_pairs_seeds_and_counts_folds():
    from serzoo.metrics import paired_uar_gain
    from serzoo.report import format_gain

    none = {
        "per_seed": [{"seed": 0, "uar": 0.70}, {"seed": 1, "uar": 0.72}],
        "fold_uar": {"a": 0.6, "b": 0.8, "c": 0.7},
    }
    wadan = {
        "per_seed": [{"seed": 0, "uar": 0.74}, {"seed": 1, "uar": 0.74}],
        "fold_uar": {"a": 0.65, "b": 0.75, "c": 0.7},
    }
    # differences +4 and +2 points: mean +3, std 1; fold a up, b down, c unchanged
    assert format_gain(paired_uar_gain(wadan, none)) == "+3.00 ± 1.00 (1↑ 1↓)"
    assert paired_uar_gain(wadan, {**none, "per_seed": none["per_seed"][:1]})["mean"] == pytest.approx(4.0)
    assert format_gain(None) == "–"
