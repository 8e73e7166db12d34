"""Dataset specs, leave-one-group-out folds and training-fold normalisation."""

import numpy as np
import pytest

from serzoo import data


def test_parse_dataset():
    assert data.parse_dataset("emodb/is11") == ("emodb", "is11")
    assert data.parse_dataset("emodb/compare") == ("emodb", "is13")
    assert data.parse_dataset("synth_emo") == ("synth_emo", "is11")
    with pytest.raises(ValueError, match="unknown dataset 'iemocapx'"):
        data.parse_dataset("iemocapx/is11")


def test_leave_one_group_out_is_split_arithmetic():
    folds = data.leave_one_group_out(["speaker03", "speaker08", "speaker09"])
    assert [f.name for f in folds] == ["speaker03", "speaker08", "speaker09"]
    assert folds[1].train_splits == ("speaker03", "speaker09")
    assert len(data.leave_one_group_out(["a", "b", "c"], max_folds=2)) == 2
    with pytest.raises(ValueError, match="at least 2"):
        data.leave_one_group_out(["a"])
    with pytest.raises(ValueError, match="max_folds"):
        data.leave_one_group_out(["a", "b"], max_folds=3)


def test_leave_one_group_out_selects_held_out_groups_keeping_fold_numbers():
    folds = data.leave_one_group_out(["a", "b", "c", "d"], held_out=["d", "b"])
    assert [(f.index, f.name, f.train_splits) for f in folds] == [(1, "b", ("a", "c", "d")), (3, "d", ("a", "b", "c"))]
    with pytest.raises(ValueError, match=r"held_out names unknown folds \['x'\]; the folds are"):
        data.leave_one_group_out(["a", "b"], held_out=["x"])


def test_normalizer_uses_training_statistics_and_drops_constant_features():
    rng = np.random.default_rng(0)
    train = rng.normal(5.0, 2.0, (200, 4))
    train[:, 2] = 7.0  # zero variance on the training fold
    norm = data.Normalizer("global").fit(train)
    assert norm.keep.tolist() == [True, True, False, True]
    z = norm.transform(train)
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(z.std(axis=0), 1, atol=1e-5)
    test = rng.normal(100.0, 1.0, (10, 4))  # a shifted test set must not change the statistics
    assert norm.transform(test).mean() > 40
    np.testing.assert_allclose(norm.inverse_transform(z), train[:, norm.keep], rtol=1e-5)


def test_speaker_normalisation_normalises_each_speaker():
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(0, 1, (50, 3)), rng.normal(10, 3, (50, 3))])
    speakers = np.array(["a"] * 50 + ["b"] * 50)
    z = data.Normalizer("speaker").fit(x).transform(x, speakers)
    for s in "ab":
        np.testing.assert_allclose(z[speakers == s].mean(axis=0), 0, atol=1e-5)
    with pytest.raises(ValueError, match="speaker of every row"):
        data.Normalizer("speaker").fit(x).transform(x)
    with pytest.raises(ValueError, match="normalisation must be one of"):
        data.Normalizer("minmax")


def test_missing_manual_dir_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="manual dir .*nowhere does not exist"):
        data.prepare_builder("emodb/is11", data_dir=tmp_path, manual_dir=tmp_path / "nowhere")


def test_synthetic_corpus_folds(synth_is11):
    assert list(synth_is11.splits) == [f"speaker{i:02d}" for i in range(1, 11)]
    assert sum(s.y.size for s in synth_is11.splits.values()) == 280
    assert synth_is11.class_names == ["anger", "boredom", "disgust", "fear", "happiness", "sadness", "neutral"]
    folds = list(data.iter_folds(synth_is11, max_folds=3, progress=False))
    assert len(folds) == 3
    for fold in folds:
        assert set(fold.test.speaker) == {fold.fold.name.removeprefix("speaker")}
        assert not set(fold.train.speaker) & set(fold.test.speaker)
        assert fold.x_train.shape[0] == 252 and fold.x_test.shape[0] == 28
        assert fold.x_train.shape[1] == fold.x_test.shape[1] <= 4368
        np.testing.assert_allclose(fold.x_train.mean(axis=0), 0, atol=1e-4)
