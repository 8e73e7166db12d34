"""The frame-generator experiment on a tiny in-memory frame-level corpus: units, measures, augmentation arms at
equal updates, resume, report and figure; and the epoch draw that keeps the updates equal."""

import numpy as np
import pytest

from serzoo.data import Corpus, SplitData
from serzoo.experiments import frame_generators as experiment
from serzoo.frames import epoch_rows
from tests.scheme_checks import FEATURES, N_CLASSES, TINY_OPTIONS

TINY = {**TINY_OPTIONS["semi_aae_frames"], "sequence_filters": (4, 4)}


def _corpus() -> Corpus:
    rng = np.random.default_rng(0)
    splits = {}
    for s in range(3):
        y = np.arange(12) % N_CLASSES
        x = np.empty(12, object)
        x[:] = [rng.normal(size=(int(rng.integers(6, 20)), FEATURES)) + np.eye(N_CLASSES, FEATURES)[k] for k in y]
        splits[f"speaker{s}"] = SplitData(
            x=x,
            y=y.astype(np.int64),
            speaker=np.array([f"{s}"] * 12),
            utterance_id=np.array([f"{s}_{i}" for i in range(12)]),
        )
    return Corpus("tiny", "lld", ["anger", "b", "sadness"], splits)


def test_epoch_rows_draw_as_many_rows_as_real_ones_from_both():
    rng = np.random.default_rng(0)
    real, fake = epoch_rows(10, 10, rng)
    assert len(real) + len(fake) == 10 and real.max(initial=0) < 10 and fake.max(initial=0) < 10
    shares = [len(epoch_rows(10, 30, np.random.default_rng(s))[0]) for s in range(200)]
    assert np.mean(shares) == pytest.approx(10 * 10 / 40, abs=0.3)  # each real row drawn with p = 1/4
    np.testing.assert_array_equal(epoch_rows(5, 0, rng)[0], np.arange(5))
    with pytest.raises(ValueError, match="n_real >= 1"):
        epoch_rows(0, 3, rng)


def test_contour_llds_pick_pitch_energy_and_two_mfccs():
    names = ["audspec_lengthL1norm_sma", "pcm_RMSenergy_sma", "mfcc_sma[1]", "mfcc_sma[2]", "F0final_sma"]
    assert experiment.contour_llds(names) == [4, 1, 2, 3]
    assert experiment.contour_llds(["a", "b", "c", "d", "e"]) == [0, 1, 2, 3]


def _run(tmp_path, **kwargs):
    settings = dict(
        variants=("paper", "statistics_adversarial"),
        seeds=(0,),
        epochs=2,
        batch_size=8,
        learning_rate=1e-3,
        held_out=["speaker0"],
        augment=True,
        options=TINY,
        output_dir=tmp_path,
        progress=False,
        log=lambda *a: None,
    )
    return experiment.run_frame_generators(_corpus(), **{**settings, **kwargs})


@pytest.mark.slow
def test_experiment_end_to_end_resume_and_report(tmp_path, monkeypatch):
    result = _run(tmp_path)
    assert set(result["units"]) == {
        "base/seed0/speaker0",
        "paper/seed0/speaker0",
        "statistics_adversarial/seed0/speaker0",
    }
    unit = result["units"]["statistics_adversarial/seed0/speaker0"]
    assert unit["options"]["adversarial_weight"] == 1.0 and len(unit["y_pred"]) == len(unit["y_true"]) == 12
    for source in ("quality", "reference"):
        assert set(experiment.MEASURES) <= set(unit[source]) and len(unit[source]["per_lld"]["gv_ratio"]) == FEATURES
    assert len(unit["augmented"]["cnn"]["y_pred"]) == 12 and set(unit["augmented"]["functionals"]) == {"svm", "dnn"}
    figure = unit["figure"]
    assert figure["classes"] == ["anger", "sadness"] and np.shape(figure["generated"]) == (2, 4, TINY["crop_frames"])
    entry = result["table"]["paper"]
    assert entry["units"] == 1 and 0 <= entry["classifier_uar"][0] <= 1
    augmentation = entry["augmentation"]
    assert set(augmentation) == set(experiment.ARMS)
    for row in augmentation.values():
        assert row["gain"] == pytest.approx(row["augmented"] - row["real"]) and row["up"] + row["down"] <= 1

    def never(*args, **kwargs):
        raise AssertionError("a finished unit was computed again")

    monkeypatch.setattr(experiment.semi_aae, "train_and_select", never)
    again = _run(tmp_path)
    assert again["table"]["paper"]["classifier_uar"] == entry["classifier_uar"]
    markdown = experiment.render_report(again, tmp_path)
    assert (
        "| paper |" in markdown
        and "*reference (real vs real)*" in markdown
        and "| statistics_adversarial | cnn |" in markdown
    )
    assert (tmp_path / "contours.png").stat().st_size > 0
    with pytest.raises(ValueError, match="unknown variants"):
        _run(tmp_path, variants=("loud",))


def test_normalisation_and_max_folds_reach_the_folds_and_the_settings(tmp_path, monkeypatch):
    seen = {}

    def folds(corpus, **kwargs):
        seen.update(kwargs)
        return iter(())

    monkeypatch.setattr(experiment, "iter_folds", folds)
    result = _run(tmp_path, normalisation="speaker", max_folds=2, held_out=None)
    assert seen["normalisation"] == "speaker" and seen["max_folds"] == 2 and result["table"] == {}
    with pytest.raises(ValueError, match="different settings"):
        _run(tmp_path, normalisation="global", max_folds=2, held_out=None)
