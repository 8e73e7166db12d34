"""The semi-supervised AAE experiment on tiny in-memory corpora: utterance and frame level, labelled fractions,
validation speaker, pooled UAR, t-test, resume, report."""

import numpy as np
import pytest

from serzoo.data import Corpus, SplitData, iter_folds
from serzoo.experiments import semi_aae as experiment
from tests.scheme_checks import FEATURES, N_CLASSES, TINY_OPTIONS


def _corpus(frame_level: bool) -> Corpus:
    rng = np.random.default_rng(0)
    splits = {}
    for s in range(3):
        y = np.arange(12) % N_CLASSES
        if frame_level:
            x = np.empty(12, object)
            x[:] = [rng.normal(size=(int(rng.integers(3, 20)), FEATURES)) + np.eye(N_CLASSES, FEATURES)[k]
                    for k in y]
        else:
            x = (rng.normal(size=(12, FEATURES)) + 2 * np.eye(N_CLASSES, FEATURES)[y]).astype(np.float32)
        splits[f"speaker{s}"] = SplitData(x=x, y=y.astype(np.int64), speaker=np.array([f"{s}"] * 12),
                                          utterance_id=np.array([f"{s}_{i}" for i in range(12)]))
    return Corpus("tiny", "lld" if frame_level else "vec", ["a", "b", "c"], splits)


def test_frame_level_folds_are_normalised_per_lld_with_training_frames():
    corpus = _corpus(frame_level=True)
    data = next(iter_folds(corpus, progress=False))
    frames = np.concatenate(list(data.x_train))
    np.testing.assert_allclose(frames.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(frames.std(0), 1, atol=1e-4)
    assert data.x_test.dtype == object and data.x_test[0].shape[1] == FEATURES
    with pytest.raises(ValueError, match="only normalisation='global'"):
        next(iter_folds(corpus, normalisation="speaker", progress=False))


def test_validation_speaker_is_the_next_training_split():
    assert experiment.validation_split(["s1", "s2", "s3"], "s2") == "s3"
    assert experiment.validation_split(["s1", "s2", "s3"], "s3") == "s1"


def _run(corpus, level, options, tmp_path, **kwargs):
    settings = dict(level=level, methods=("base", "aae"), seeds=(0, 1), fractions=(0.5,), epochs=2,
                    batch_size=8, learning_rate=1e-3, max_folds=1, output_dir=tmp_path, options=options,
                    progress=False, log=lambda *a: None)
    return experiment.run_semi_aae(corpus, **{**settings, **kwargs})


def test_experiment_end_to_end_and_resume(tmp_path, monkeypatch):
    corpus = _corpus(frame_level=False)
    result = _run(corpus, "utterance", TINY_OPTIONS["semi_aae"], tmp_path)
    assert len(result["units"]) == 2 * 2  # seeds x methods (one fold, one fraction)
    unit = result["units"]["seed1/frac0.5/aae/speaker0"]
    assert unit["validation_split"] == "speaker1" and 1 <= unit["best_epoch"] <= 2
    assert unit["n_labelled"] == 6 and len(unit["y_pred"]) == len(unit["y_true"]) == 12  # half of 12 labelled
    rows = result["summary"]["0.5"]
    assert set(rows) == {"base", "aae"} and set(rows["aae"]["uar_by_seed"]) == {"seed0", "seed1"}
    assert 0 <= rows["aae"]["p_vs_base"] <= 1 and "p_vs_base" not in rows["base"]

    def never(*args, **kwargs):
        raise AssertionError("a finished unit was computed again")

    monkeypatch.setattr(experiment, "train_and_select", never)
    again = _run(corpus, "utterance", TINY_OPTIONS["semi_aae"], tmp_path)
    assert again["summary"] == result["summary"]
    report = experiment.render_report(again)
    assert "| 50% | aae |" in report and "| 50% | base |" in report


def test_frame_level_experiment_classifies_variable_length_utterances(tmp_path):
    result = _run(_corpus(frame_level=True), "frames", TINY_OPTIONS["semi_aae_frames"], tmp_path, methods=("aae",),
                  seeds=(0,), fractions=(1.0,))
    assert result["units"]["seed0/frac1/aae/speaker0"]["n_labelled"] == 12
    (unit,) = result["units"].values()
    assert len(unit["y_pred"]) == 12 and set(unit["y_pred"]) <= {0, 1, 2}
    assert result["summary"]["1"]["aae"]["uar_by_seed"]["seed0"] >= 0


def test_summary_by_hand():
    units = {f"seed{s}/frac1/{m}/f": {"y_true": [0, 1, 1, 1], "y_pred": pred} for s, m, pred in [
        (0, "base", [0, 0, 0, 1]), (1, "base", [0, 0, 1, 1]), (0, "aae", [0, 1, 1, 1]), (1, "aae", [0, 1, 1, 0])]}
    rows = experiment.summarise(units, 2)["1"]
    # UAR = mean recall of classes 0 and 1: base (1 + 1/3)/2, (1 + 2/3)/2; aae 1, (1 + 2/3)/2
    assert rows["base"]["uar_by_seed"] == pytest.approx({"seed0": 2 / 3, "seed1": 5 / 6})
    assert rows["aae"]["mean"] == pytest.approx((1 + 5 / 6) / 2)
    # differences aae - base: 1/3 and 0 -> t = mean / (sd / sqrt 2) = (1/6) / ((sqrt(2)/6) / sqrt(2)) = 1, df 1
    assert rows["aae"]["p_vs_base"] == pytest.approx(0.25, abs=1e-6)  # one-tailed: P(T_1 > 1) = 1/4
