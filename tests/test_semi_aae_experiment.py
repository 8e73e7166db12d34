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
            x[:] = [rng.normal(size=(int(rng.integers(3, 20)), FEATURES)) + np.eye(N_CLASSES, FEATURES)[k] for k in y]
        else:
            x = (rng.normal(size=(12, FEATURES)) + 2 * np.eye(N_CLASSES, FEATURES)[y]).astype(np.float32)
        splits[f"speaker{s}"] = SplitData(
            x=x,
            y=y.astype(np.int64),
            speaker=np.array([f"{s}"] * 12),
            utterance_id=np.array([f"{s}_{i}" for i in range(12)]),
        )
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
    settings = dict(
        level=level,
        methods=("base", "aae"),
        seeds=(0, 1),
        fractions=(0.5,),
        epochs=2,
        batch_size=8,
        learning_rate=1e-3,
        max_folds=1,
        output_dir=tmp_path,
        options=options,
        progress=False,
        log=lambda *a: None,
    )
    return experiment.run_semi_aae(corpus, **{**settings, **kwargs})


@pytest.mark.slow
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


@pytest.mark.slow
def test_disjoint_held_out_runs_share_one_store(tmp_path, monkeypatch):
    """Two runs with disjoint ``held_out`` folds fill one store; the run over all folds then trains nothing."""
    corpus, options = _corpus(frame_level=False), TINY_OPTIONS["semi_aae"]
    settings = dict(methods=("base",), seeds=(0,), fractions=(1.0,), epochs=1, max_folds=None)
    first = _run(corpus, "utterance", options, tmp_path, held_out=["speaker2"], **settings)
    assert list(first["units"]) == ["seed0/frac1/base/speaker2"]
    second = _run(corpus, "utterance", options, tmp_path, held_out=["speaker0", "speaker1"], **settings)
    assert sorted(second["units"]) == ["seed0/frac1/base/speaker0", "seed0/frac1/base/speaker1"]

    def never(*args, **kwargs):
        raise AssertionError("a finished unit was computed again")

    monkeypatch.setattr(experiment, "train_and_select", never)
    full = _run(corpus, "utterance", options, tmp_path, **settings)
    assert full["units"] == {**first["units"], **second["units"]}
    with pytest.raises(ValueError, match=r"held_out names unknown folds \['speaker9'\]"):
        _run(corpus, "utterance", options, tmp_path, held_out=["speaker9"], **settings)


@pytest.mark.slow
def test_frame_level_experiment_classifies_variable_length_utterances(tmp_path):
    result = _run(
        _corpus(frame_level=True),
        "frames",
        TINY_OPTIONS["semi_aae_frames"],
        tmp_path,
        methods=("aae",),
        seeds=(0,),
        fractions=(1.0,),
    )
    assert result["units"]["seed0/frac1/aae/speaker0"]["n_labelled"] == 12
    (unit,) = result["units"].values()
    assert len(unit["y_pred"]) == 12 and set(unit["y_pred"]) <= {0, 1, 2}
    assert result["summary"]["1"]["aae"]["uar_by_seed"]["seed0"] >= 0
    assert "(one run: no spread)" in experiment.render_report(result)  # not a spread of ± 0.00


def test_summary_by_hand():
    units = {
        f"seed{s}/frac1/{m}/f": {"y_true": [0, 1, 1, 1], "y_pred": pred}
        for s, m, pred in [
            (0, "base", [0, 0, 0, 1]),
            (1, "base", [0, 0, 1, 1]),
            (0, "aae", [0, 1, 1, 1]),
            (1, "aae", [0, 1, 1, 0]),
        ]
    }
    rows = experiment.summarise(units, 2)["1"]
    # UAR = mean recall of classes 0 and 1: base (1 + 1/3)/2, (1 + 2/3)/2; aae 1, (1 + 2/3)/2
    assert rows["base"]["uar_by_seed"] == pytest.approx({"seed0": 2 / 3, "seed1": 5 / 6})
    assert rows["aae"]["mean"] == pytest.approx((1 + 5 / 6) / 2)
    # differences aae - base: 1/3 and 0 -> t = mean / (sd / sqrt 2) = (1/6) / ((sqrt(2)/6) / sqrt(2)) = 1, df 1
    assert rows["aae"]["p_vs_base"] == pytest.approx(0.25, abs=1e-6)  # one-tailed: P(T_1 > 1) = 1/4


# ----------------------------------------------------------------- figures
@pytest.fixture
def tsne_inputs(monkeypatch):
    """Every array the figures embed with t-SNE (at sklearn's minimum of steps)."""
    from serzoo import plots

    seen, tsne = [], plots._tsne
    monkeypatch.setattr(plots, "TSNE_ITERATIONS", 250)
    monkeypatch.setattr(plots, "_tsne", lambda x, seed: seen.append(np.array(x)) or tsne(x, seed))
    return seen


def _figure_run(level, tmp_path, **kwargs):
    corpus = _corpus(frame_level=level == "frames")
    options = TINY_OPTIONS["semi_aae_frames" if level == "frames" else "semi_aae"]
    return corpus, _run(corpus, level, options, tmp_path, **{"seeds": (0,), "fractions": (0.5, 1.0), **kwargs})


@pytest.mark.slow
@pytest.mark.parametrize("level", ["utterance", "frames"])
def test_figures_show_the_first_aae_unit_and_are_redrawn_on_resume(level, tmp_path, monkeypatch, tsne_inputs):
    corpus, result = _figure_run(level, tmp_path)
    key = "seed0/frac1/aae/speaker0"  # first fold, first seed, highest fraction, the optimised AAE
    assert result["figures"]["unit"] == key
    assert [k for k, unit in result["units"].items() if "figures" in unit] == [key]
    expected = ["style_tsne.png", "loss_curves.png"] + (["reconstruction.png"] if level == "frames" else [])
    assert result["figures"]["files"] == expected
    assert all((tmp_path / name).stat().st_size > 1000 for name in expected)
    report = experiment.render_report(result)
    assert all(f"![{name[:-4]}]({name})" in report for name in expected)

    material = result["units"][key]["figures"]
    style_dim = TINY_OPTIONS["semi_aae_frames" if level == "frames" else "semi_aae"]["style_dim"]
    (embedded,) = tsne_inputs  # the t-SNE saw z of the 12 validation (speaker1) + 12 test (speaker0) utterances
    assert embedded.shape == (24, style_dim) != (24, corpus.splits["speaker0"].x[0].shape[-1])
    np.testing.assert_allclose(embedded, material["style"])
    assert material["speakers"] == ["1"] * 12 + ["0"] * 12
    assert material["labels"] == corpus.splits["speaker1"].y.tolist() + corpus.splits["speaker0"].y.tolist()
    paper = {"reconstruction_loss", "discriminator_loss", "generator_loss", "classification_loss"}
    assert {name: len(material["losses"][name]) for name in paper} == dict.fromkeys(paper, 2)
    # the contour terms (issue 32) are logged too, and are off in the paper's model: zero throughout
    assert all(not any(values) for name, values in material["losses"].items() if name not in paper)
    if level == "frames":  # the first test utterance, LLDs 0 and 1 (no F0 or loudness names), original scale
        rec, raw = material["reconstruction"], corpus.splits["speaker0"].x[0]
        assert rec["names"] == ["feature 0", "feature 1"] and rec["utterance"] == "0_0"
        np.testing.assert_allclose(rec["real"], raw[:, :2].T, rtol=1e-3, atol=1e-3)
        assert np.shape(rec["decoded"]) == (2, len(raw)) and np.isfinite(rec["decoded"]).all()

    for name in expected:
        (tmp_path / name).unlink()

    def never(*args, **kwargs):
        raise AssertionError("a finished unit was computed again")

    monkeypatch.setattr(experiment, "train_and_select", never)
    again = _figure_run(level, tmp_path)[1]
    assert again["figures"]["files"] == expected and all((tmp_path / name).is_file() for name in expected)
    np.testing.assert_allclose(tsne_inputs[1], tsne_inputs[0])


@pytest.mark.slow
def test_a_stored_figure_unit_without_material_is_trained_again(tmp_path, monkeypatch, tsne_inputs):
    import json

    _figure_run("utterance", tmp_path, methods=("aae",))
    path = tmp_path / "units.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines()]
    for record in records[1:]:
        record["payload"].pop("figures", None)  # as stored before the figures existed
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    trained, train = [], experiment.train_and_select
    monkeypatch.setattr(
        experiment, "train_and_select", lambda *a, **kw: trained.append(kw["figures"] is not None) or train(*a, **kw)
    )
    result = _figure_run("utterance", tmp_path, methods=("aae",))[1]
    assert trained == [True] and result["figures"]["files"] == ["style_tsne.png", "loss_curves.png"]


def test_no_figures_without_the_optimised_aae(tmp_path):
    result = _figure_run("utterance", tmp_path, methods=("base",), fractions=(1.0,))[1]
    assert result["figures"] == {"unit": None, "files": []} and not list(tmp_path.glob("*.png"))
    assert "## Figures" not in experiment.render_report(result)


def test_figure_style_is_the_encoders_z():
    from serzoo.frames import evaluation_crops
    from tests.scheme_checks import tiny_data

    x, y = tiny_data(6)
    model = experiment.build_model(
        "aae",
        "utterance",
        x.shape[1],
        N_CLASSES,
        seed=0,
        epochs=1,
        batch_size=8,
        learning_rate=1e-3,
        options=TINY_OPTIONS["semi_aae"],
    )
    material = experiment.figure_material(model, x=x, speakers=["a"] * 6, labels=y)
    np.testing.assert_allclose(material["style"], np.asarray(model.encode(x)), rtol=1e-3, atol=1e-4)
    assert np.shape(material["style"]) == (6, model.style_dim) and "reconstruction" not in material

    frames = experiment.build_model(
        "aae",
        "frames",
        x.shape[1],
        N_CLASSES,
        seed=0,
        epochs=1,
        batch_size=8,
        learning_rate=1e-3,
        options=TINY_OPTIONS["semi_aae_frames"],
    )
    sequence = np.random.default_rng(1).normal(size=(13, x.shape[1])).astype("float32")  # two crops of 8
    material = experiment.figure_material(frames, x=[sequence], speakers=["a"], labels=[0])
    crops = np.asarray(evaluation_crops(sequence[None], frames.crop_frames))[0]
    np.testing.assert_allclose(material["style"], [np.asarray(frames.encode(crops)).mean(0)], rtol=1e-3, atol=1e-4)


def test_style_tsne_refuses_anything_but_z(tmp_path):
    from serzoo import plots

    features = np.zeros((10, FEATURES))
    with pytest.raises(ValueError, match=r"style code z: expected \[utterances, 4\], got shape \(10, 12\)"):
        plots.style_tsne_png(features, ["s"] * 10, [0] * 10, ["a", "b", "c"], tmp_path / "t.png", style_dim=4)
    with pytest.raises(ValueError, match="one speaker and one label per row"):
        plots.style_tsne_png(np.zeros((10, 4)), ["s"] * 9, [0] * 10, ["a", "b", "c"], tmp_path / "t.png", style_dim=4)
    assert not (tmp_path / "t.png").exists()


def test_reconstruction_llds_are_pitch_and_loudness_when_named():
    compare = ["F0final_sma", "voicingFinalUnclipped_sma", "jitterLocal_sma", "audspec_lengthL1norm_sma", "mfcc"]
    assert experiment.reconstruction_llds(compare) == [0, 3]
    assert experiment.reconstruction_llds(["a", "b", "pcm_loudness_sma"]) == [2, 0]
    assert experiment.reconstruction_llds(["a", "b", "c"]) == [0, 1]


@pytest.mark.parametrize("fractions", [(0,), (0.5, 0.0), (1.5,), (-0.1,)])
def test_semi_aae_refuses_a_labelled_fraction_outside_zero_one(tmp_path, monkeypatch, fractions):
    """Issue 35 case 8: --fractions 0 reported a "base" UAR from a classifier that saw no label, exit 0."""

    def no_training(*args, **kwargs):
        raise AssertionError("trained with a labelled fraction outside (0, 1]")

    monkeypatch.setattr(experiment, "train_and_select", no_training)
    with pytest.raises(ValueError, match="each labelled fraction must lie in \\(0, 1\\]"):
        _run(_corpus(frame_level=False), "utterance", TINY_OPTIONS.get("semi_aae", {}), tmp_path, fractions=fractions)
    assert not (tmp_path / "units.jsonl").exists()


@pytest.mark.parametrize("frame_level, level", [(False, "frames"), (True, "utterance")])
def test_semi_aae_level_must_match_the_dataset(tmp_path, frame_level, level):
    """Issue 35 case 15: --level frames on functionals, or utterance on LLD sequences, ended in an IndexError."""
    with pytest.raises(ValueError, match=f"--level {level}: tiny/(vec|lld) holds .*; use --level"):
        _run(_corpus(frame_level=frame_level), level, {}, tmp_path)
    assert not (tmp_path / "units.jsonl").exists()
