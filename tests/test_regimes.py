"""The regimes experiment: what each method trains on, twins at equal updates, resumable units (tiny settings)."""

import pathlib

import numpy as np
import pytest

from serzoo import data, emotions, folds
from serzoo.data import Corpus, SplitData
from serzoo.experiments import regimes
from serzoo.experiments.resume import UnitStore

DUMMY = pathlib.Path(__file__).resolve().parents[1] / "tfds_builders" / "emodb" / "dummy_data"
TINY = {"dnn": {"epochs": 2}, "semi_aae": {"epochs": 2, "width": 16, "style_dim": 4}, "dann": {"epochs": 2}}


def _corpus(name, classes, speakers, per_class=4, offset=0.0):
    rng = np.random.default_rng(0)
    splits = {}
    for s in speakers:
        y = np.repeat(np.arange(len(classes)), per_class)
        x = (y[:, None] + offset + rng.normal(0, 0.1, (y.size, 3))).astype(np.float32)
        ids = np.array([f"{s}_{i}" for i in range(y.size)])
        splits[f"speaker{s}"] = SplitData(x, y, np.array([s] * y.size), ids, np.full(y.size, name))
    return Corpus(name, "is11", list(classes), splits, opensmile_set="is11")


def test_scarce_labels_hide_labels_per_class_and_keep_the_rest_unlabelled():
    corpus = data.map_classes(_corpus("ravdess", emotions.RAVDESS_CLASSES, ["01", "02", "03"]), "shared6")
    fold = folds.fold_data(corpus, folds.make_folds(corpus)[0])
    inputs = regimes.regime_inputs("scarce-labels", corpus, fold, 0.25, seed=0)
    assert len(inputs.y_labelled) == 6 * 2  # a quarter of each class's 8 training rows
    assert sorted(np.bincount(inputs.y_labelled)) == [2] * 6
    # the hidden labelled rows plus the calm / surprise speech of the training speakers
    assert len(inputs.x_unlabelled) == (48 - 12) + 2 * 2 * 4
    assert inputs.n_domains == 1 and not inputs.domain_unlabelled.any()
    assert len(regimes.regime_inputs("scarce-labels", corpus, fold, 1.0, seed=0).y_labelled) == 48


def test_unseen_corpus_trains_on_the_source_and_the_targets_unlabelled_speech():
    a = data.map_classes(_corpus("emodb", emotions.EMODB_CLASSES, ["03", "08"]), "shared6")
    b = data.map_classes(_corpus("ravdess", emotions.RAVDESS_CLASSES, ["01", "02"], offset=50), "shared6")
    both = data.combine_corpora([a, b])
    (fold,) = folds.make_folds(both, "corpus-pairs", held_out=["emodb->ravdess"])
    inputs = regimes.regime_inputs("unseen-corpus", both, folds.fold_data(both, fold, "corpus"), 1.0, seed=0)
    assert len(inputs.y_labelled) == 2 * 6 * 4 and set(inputs.domain_labelled) == {0}
    assert len(inputs.x_unlabelled) == 2 * 8 * 4  # RAVDESS's whole speech, calm and surprise included
    assert set(inputs.domain_unlabelled) == {1} and inputs.n_domains == 2
    np.testing.assert_allclose(inputs.x_unlabelled.mean(axis=0), 0, atol=1e-5)  # the target's own statistics
    with pytest.raises(ValueError, match="uses every training label"):
        regimes.regime_inputs("unseen-corpus", both, folds.fold_data(both, fold), 0.5, seed=0)


@pytest.mark.slow
def test_scarce_label_regime_runs_methods_with_their_twins_and_resumes(
    synth_is11, tfds_data_dir, tmp_path, monkeypatch
):
    store = UnitStore(tmp_path, {"experiment": "test"})
    options = dict(methods=["smote", "semi_aae"], fractions=(0.1, 1.0), seeds=(0,), method_options=TINY)
    run = dict(data_dir=tfds_data_dir, held_out=["speaker01", "speaker02"], progress=False)
    result = regimes.run_regime("scarce-labels", "synth_emo/is11", store=store, **options, **run)
    assert result["methods"] == ["dnn", "smote", "semi_aae_base", "semi_aae"]
    rows = {(r["method"], r["fraction"]): r for r in result["rows"]}
    assert len(rows) == 8 and rows["smote", 0.1]["twin"] == "dnn" and rows["dnn", 1.0]["gain"] is None
    gain = rows["semi_aae", 0.1]["uar"]["mean"] - rows["semi_aae_base", 0.1]["uar"]["mean"]
    assert rows["semi_aae", 0.1]["gain"]["mean"] == pytest.approx(gain)
    units = [u for k, u in store.units.items() if "|smote|p0.1|" in k]
    assert len(units) == 2 and all(u["n_labelled"] == 7 * 4 for u in units)  # 10 % of 36 training rows per class
    assert all(u["n_labelled"] + u["n_unlabelled"] == 252 for u in units)
    report = regimes.render_report(result, tmp_path)
    assert "| synth_emo | synth_emo | 10 % | semi_aae |" in report and (tmp_path / "uar_vs_labels.png").exists()

    def no_training(*args):
        raise AssertionError("a finished unit was computed again")

    monkeypatch.setattr(regimes, "_compute_unit", no_training)
    again = regimes.run_regime(
        "scarce-labels", "synth_emo/is11", store=UnitStore(tmp_path, {"experiment": "test"}), **options, **run
    )
    assert again["rows"] == result["rows"]


@pytest.mark.slow
def test_unseen_corpus_regime_on_two_corpora(synth_is11, tfds_data_dir, tmp_path):
    result = regimes.run_regime(
        "unseen-corpus",
        "emodb+synth_emo/is11+arousal",
        methods=["smote", "dann"],
        seeds=(0,),
        normalisation="corpus",
        data_dir=tfds_data_dir,
        manual_dir=f"emodb={DUMMY}",
        held_out=["emodb->synth_emo", "synth_emo"],
        method_options=TINY,
        progress=False,
    )
    pairs = {(r["train"], r["test"], r["method"]) for r in result["rows"]}
    assert pairs == {(t, "synth_emo", m) for t in ("emodb", "others") for m in ("dnn", "smote", "dann_twin", "dann")}
    report = regimes.render_report(result, tmp_path)
    assert "| others | synth_emo | 100 % | smote |" in report and (tmp_path / "gains.png").exists()


def test_pooled_regime_fits_pooled_generators_on_every_corpus_and_trains_on_the_own_corpus(monkeypatch):
    a = _corpus("emodb", emotions.EMODB_CLASSES, ["03", "08", "09"])
    b = _corpus("synth_emo", emotions.EMODB_CLASSES, ["01", "02"], offset=50)
    both = data.combine_corpora([a, b])
    fold = folds.fold_data(both, folds.make_folds(both, held_out=["emodb:speaker03"])[0], "speaker")
    inputs = regimes.regime_inputs("pooled", both, fold, 1.0, seed=0)
    assert len(inputs.y_labelled) == 2 * 28 and len(inputs.y_pool) == 4 * 28  # own corpus vs every corpus
    assert len(inputs.x_unlabelled) == 0
    captured = []

    class Spy:
        def __init__(self, name):
            self.name = name

        def fit(self, x, y, n_classes):
            captured.append((self.name, len(x)))
            return self

        def sample(self, labels, seed=0):
            return np.zeros((len(labels), 3), np.float32)

    import serzoo.augmenters

    monkeypatch.setattr(serzoo.augmenters, "make_augmenter", lambda name, **kw: Spy(name))
    for method in ("smote_pooled", "smote"):
        regimes.fit_predict(method, inputs, 0, {"dnn": {"epochs": 1}})
    assert captured == [("smote", 4 * 28), ("smote", 2 * 28)]  # pooled: every corpus's rows; own: the corpus's
