"""Class sets, multi-corpus datasets, corpus folds and per-corpus normalisation (in memory and on fixtures)."""

import numpy as np
import pytest

from serzoo import data, emotions, folds
from serzoo.data import Corpus, SplitData


def _corpus(name, classes, speakers, per_class=2, offset=0.0, seed=0):
    """A corpus with ``per_class`` rows of every class per speaker; features = label + offset + noise."""
    rng = np.random.default_rng(seed)
    splits = {}
    for s in speakers:
        y = np.repeat(np.arange(len(classes)), per_class)
        x = (y[:, None] + offset + rng.normal(0, 0.1, (y.size, 3))).astype(np.float32)
        splits[f"speaker{s}"] = SplitData(
            x, y, np.array([s] * y.size), np.array([f"{name}{s}_{i}" for i in range(y.size)]), np.full(y.size, name)
        )
    return Corpus(name, "is11", list(classes), splits, opensmile_set="is11")


def test_shared6_is_in_every_real_corpus_and_names_are_serzoo_classes():
    for inventory in (emotions.EMODB_CLASSES, emotions.RAVDESS_CLASSES, emotions.EMOVO_CLASSES):
        names, mapping = emotions.class_map(inventory, "shared6")
        assert names == ["anger", "disgust", "fear", "happiness", "neutral", "sadness"]
        assert sorted(m for m in mapping if m >= 0) == list(range(6))  # each shared class exactly once
    assert emotions.class_map(emotions.RAVDESS_CLASSES, "shared6")[1] == [4, -1, 3, 5, 0, 2, 1, -1]
    assert emotions.EMOVO_CODES["gio"] == "happiness" and emotions.RAVDESS_CODES["03"] == "happiness"
    left_out = {c for inv in (emotions.EMODB_CLASSES, emotions.RAVDESS_CLASSES, emotions.EMOVO_CLASSES) for c in inv}
    assert left_out - set(emotions.CLASS_SETS["shared6"].classes) == {"boredom", "calm", "surprise"}


def test_a_class_set_the_corpus_cannot_fill_is_refused_naming_the_choices():
    with pytest.raises(ValueError, match=r"no class that maps to \['disgust', 'fear'\].*Choose a set.*: shared4"):
        emotions.class_map(("anger", "happiness", "sadness", "neutral"), "shared6", "iemocap")


def test_map_classes_moves_left_out_classes_to_left_out_speech():
    corpus = _corpus("ravdess", emotions.RAVDESS_CLASSES, ["01", "02"])
    mapped = data.map_classes(corpus, "shared6")
    assert mapped.class_names == list(emotions.CLASS_SETS["shared6"].classes)
    assert mapped.feature_set == "is11+shared6" and mapped.opensmile_set == "is11"
    split = mapped.splits["speaker01"]
    assert split.y.size == 12 and set(split.y) == set(range(6))
    # anger rows (RAVDESS label 4) became shared6 label 0, with their features
    np.testing.assert_allclose(split.x[split.y == 0].mean(), 4.0, atol=0.1)
    left = mapped.left_out["speaker01"]
    assert left.y.tolist() == [-1] * 4 and sorted(np.round(left.x.mean(axis=1)).tolist()) == [1, 1, 7, 7]
    assert mapped.speech(["speaker01"]).y.size == 16  # statistics see all of the speaker's speech
    assert corpus.splits["speaker01"].y.size == 16  # the original is untouched


def test_combined_corpora_keep_each_rows_corpus_and_prefix_groups():
    a = data.map_classes(_corpus("emodb", emotions.EMODB_CLASSES, ["03", "08"]), "shared6")
    b = data.map_classes(_corpus("ravdess", emotions.RAVDESS_CLASSES, ["03", "04"]), "shared6")  # same speaker ids
    both = data.combine_corpora([a, b])
    assert both.name == "emodb+ravdess" and both.feature_set == "is11+shared6"
    assert list(both.splits) == ["emodb:speaker03", "emodb:speaker08", "ravdess:speaker03", "ravdess:speaker04"]
    assert both.corpus_splits() == {
        "emodb": ["emodb:speaker03", "emodb:speaker08"],
        "ravdess": ["ravdess:speaker03", "ravdess:speaker04"],
    }
    split = both.splits["ravdess:speaker03"]
    assert set(split.speaker) == {"ravdess:03"} and set(split.corpus) == {"ravdess"}
    assert split.utterance_id[0] == "ravdess:ravdess03_0"
    assert set(both.left_out) == set(both.splits)  # boredom (EmoDB), calm and surprise (RAVDESS)
    with pytest.raises(ValueError, match="different classes.*'\\+shared6' in the spec"):
        data.combine_corpora([_corpus("emodb", emotions.EMODB_CLASSES, ["03"]), b])
    with pytest.raises(ValueError, match="appears twice"):
        data.combine_corpora([a, a])


def test_corpus_fold_schemes():
    three = data.combine_corpora(
        [
            data.map_classes(_corpus(n, inv, ids), "shared6")
            for n, inv, ids in (
                ("emodb", emotions.EMODB_CLASSES, ["03", "08"]),
                ("ravdess", emotions.RAVDESS_CLASSES, ["01", "02", "03"]),
                ("emovo", emotions.EMOVO_CLASSES, ["f1", "m1"]),
            )
        ]
    )
    loco = folds.make_folds(three, "leave-one-corpus-out")
    assert [f.name for f in loco] == ["emodb", "ravdess", "emovo"]
    assert loco[1].test_splits == ("ravdess:speaker01", "ravdess:speaker02", "ravdess:speaker03")
    assert loco[1].train_splits == ("emodb:speaker03", "emodb:speaker08", "emovo:speakerf1", "emovo:speakerm1")
    pairs = folds.make_folds(three, "corpus-pairs")
    assert [f.name for f in pairs] == [
        "emodb->ravdess",
        "emodb->emovo",
        "ravdess->emodb",
        "ravdess->emovo",
        "emovo->emodb",
        "emovo->ravdess",
    ]
    assert pairs[1].train_splits == ("emodb:speaker03", "emodb:speaker08")
    assert pairs[1].test_splits == ("emovo:speakerf1", "emovo:speakerm1")
    assert [f.name for f in folds.make_folds(three, "corpus-pairs", held_out=["emovo->emodb"])] == ["emovo->emodb"]
    assert len(folds.make_folds(three)) == 7  # leave one (corpus, speaker) out over the pooled corpora
    within = folds.make_folds(three, "within-corpus")
    assert [f.name for f in within][:3] == ["emodb:speaker03", "emodb:speaker08", "ravdess:speaker01"]
    assert within[2].train_splits == ("ravdess:speaker02", "ravdess:speaker03") and within[2].index == 2
    with pytest.raises(ValueError, match="needs a dataset of several corpora"):
        folds.make_folds(_corpus("emodb", emotions.EMODB_CLASSES, ["03", "08"]), "leave-one-corpus-out")
    with pytest.raises(ValueError, match="unknown fold scheme 'loco'; choose one of: leave-one-group-out"):
        folds.make_folds(three, "loco")


def test_corpus_normalisation_uses_each_corpus_own_speech_including_left_out_classes():
    a = data.map_classes(_corpus("emodb", emotions.EMODB_CLASSES, ["03", "08"], offset=0.0), "shared6")
    b = data.map_classes(_corpus("ravdess", emotions.RAVDESS_CLASSES, ["01", "02"], offset=100.0, seed=1), "shared6")
    both = data.combine_corpora([a, b])
    (fold,) = folds.make_folds(both, "corpus-pairs", held_out=["emodb->ravdess"])
    result = folds.fold_data(both, fold, "corpus")
    target = both.speech(fold.test_splits)  # RAVDESS's labelled and left-out rows
    expected = (both.select(fold.test_splits).x - target.x.mean(axis=0)) / target.x.std(axis=0)
    np.testing.assert_allclose(result.x_test, expected, rtol=1e-4, atol=1e-4)
    source = both.speech(fold.train_splits)
    np.testing.assert_allclose(
        result.x_train, (both.select(fold.train_splits).x - source.x.mean(axis=0)) / source.x.std(axis=0), atol=1e-4
    )
    # global: the source's statistics for both (the target far away), speaker: each speaker's own speech
    assert folds.fold_data(both, fold, "global").x_test.mean() > 50
    by_speaker = folds.fold_data(both, fold, "speaker")
    for speaker in ("ravdess:01", "ravdess:02"):
        rows = by_speaker.test.speaker == speaker
        own = both.speech(fold.test_splits)
        own_x = own.x[own.speaker == speaker]
        np.testing.assert_allclose(
            by_speaker.x_test[rows], (by_speaker.test.x[rows] - own_x.mean(0)) / own_x.std(0), atol=1e-4
        )


def test_left_out_speech_enters_the_statistics_but_not_the_training_rows():
    corpus = data.map_classes(_corpus("ravdess", emotions.RAVDESS_CLASSES, ["01", "02", "03"]), "shared6")
    fold = folds.make_folds(corpus)[0]
    result = folds.fold_data(corpus, fold, "global")
    speech = corpus.speech(fold.train_splits).x
    np.testing.assert_allclose(result.normalizer.mean, speech.mean(axis=0), rtol=1e-6)
    assert result.y_train.min() >= 0 and result.x_train.shape[0] == 24  # 2 speakers x 6 classes x 2
    labelled_only = corpus.select(fold.train_splits).x.mean(axis=0)
    assert not np.allclose(result.normalizer.mean, labelled_only)  # calm/surprise rows count


def test_spec_parsing_and_manual_dirs(monkeypatch):
    spec = data.parse_spec("emodb+synth_emo/egemaps+shared6")
    assert (spec.corpora, spec.config, spec.classes, spec.label) == (
        ("emodb", "synth_emo"),
        "egemaps",
        "shared6",
        "label",
    )
    assert data.parse_spec("emodb/is11", classes="arousal").classes == "arousal"
    assert data.parse_spec("iemocap/egemaps_all+activation_class").label == "activation_class"
    with pytest.raises(ValueError, match="'bogus' after '\\+' is neither a class set"):
        data.parse_spec("emodb/is11+bogus")
    with pytest.raises(ValueError, match="names a corpus twice"):
        data.parse_spec("emodb+emodb/is11")
    with pytest.raises(ValueError, match="names the class set 'shared6', but classes='shared4'"):
        data.parse_spec("emodb/is11+shared6", classes="shared4")
    monkeypatch.setenv("SERZOO_SYNTH_EMO_DIR", "/from/env")
    monkeypatch.delenv("SERZOO_EMODB_DIR", raising=False)
    assert data.manual_dirs(["emodb"], "/x") == {"emodb": "/x"}
    assert data.manual_dirs(["emodb", "synth_emo"], "emodb=/a") == {"emodb": "/a", "synth_emo": "/from/env"}
    assert data.manual_dirs(["emodb", "synth_emo"], {"synth_emo": "/b"}) == {"emodb": None, "synth_emo": "/b"}
    with pytest.raises(ValueError, match="one manual dir .* pass one folder per corpus, e.g. emodb=PATH,synth_emo"):
        data.manual_dirs(["emodb", "synth_emo"], "/x")
    with pytest.raises(ValueError, match=r"manual dirs given for \['ravdess'\]"):
        data.manual_dirs(["emodb"], "ravdess=/r")
    with pytest.raises(ValueError, match="expected NAME=PATH"):
        data.manual_dirs(["emodb"], "emodb=")


def test_two_built_corpora_load_as_one_dataset(tfds_data_dir):
    """EmoDB's dummy data and the synthetic corpus share EmoDB's classes: one dataset, arousal-mapped on load."""
    import pathlib

    dummy = pathlib.Path(data.__file__).resolve().parents[1] / "tfds_builders" / "emodb" / "dummy_data"
    both = data.load_corpus("emodb+synth_emo/is11+arousal", data_dir=tfds_data_dir, manual_dir=f"emodb={dummy}")
    assert both.name == "emodb+synth_emo" and both.class_names == ["low", "high"]
    assert both.feature_set == "is11+arousal"
    assert len(both.corpus_splits()["emodb"]) == 10 and len(both.corpus_splits()["synth_emo"]) == 10
    assert sum(s.y.size for s in both.splits.values()) == 20 + 280
    fold = next(data.iter_folds(both, fold_scheme="corpus-pairs", normalisation="corpus", progress=False))
    assert fold.fold.name == "emodb->synth_emo" and fold.x_test.shape == (280, fold.x_train.shape[1])
    dev, evaluation = data.speaker_halves(both)
    assert dev[:5] == [f"emodb:speaker{s}" for s in ("03", "08", "09", "10", "11")]
    assert len(evaluation) == 10


def _fixture_dirs() -> str:
    import pathlib

    builders = pathlib.Path(data.__file__).resolve().parents[1] / "tfds_builders"
    return ",".join(f"{name}={builders / name / 'dummy_data'}" for name in ("emodb", "ravdess", "emovo"))


def test_an_existing_experiment_runs_unchanged_on_the_three_corpus_union(tfds_data_dir, tmp_path):
    """``serzoo reproduce`` (Yi & Mak's harness) on EmoDB + RAVDESS + EMOVO's fixtures, shared6: its folds are the
    pooled (corpus, speaker) groups; nothing in the experiment knows about several corpora."""
    import json

    from serzoo import cli

    spec = "emodb+ravdess+emovo/egemaps+shared6"
    corpus = data.load_corpus(spec, data_dir=tfds_data_dir, manual_dir=_fixture_dirs())
    assert corpus.corpus_splits().keys() == {"emodb", "ravdess", "emovo"}
    assert "ravdess:actor08" not in corpus.splits and "ravdess:actor08" in corpus.left_out  # surprise only
    assert set(np.concatenate([s.corpus for s in corpus.splits.values()])) == {"emodb", "ravdess", "emovo"}
    out = tmp_path / "reproduce"
    held_out = ["emodb:speaker03", "ravdess:actor01", "emovo:actorm1"]
    code = cli.main(
        ["reproduce", "yi-mak-emodb", "--dataset", spec, "--manual-dir", _fixture_dirs(), "--data-dir"]
        + [str(tfds_data_dir), "--methods", "smote", "--k", "0,1", "--headline-k", "1", "--classifiers", "svm"]
        + ["--held-out", ",".join(held_out), "--seeds", "0", "--jobs", "1", "--output-dir", str(out)]
    )
    assert code == 0
    result = json.loads((out / "results.json").read_text())
    assert result["dataset"] == spec and result["folds"] == held_out
    assert data.load_corpus(result["dataset"], data_dir=tfds_data_dir, manual_dir=_fixture_dirs()).n_classes == 6
