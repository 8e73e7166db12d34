"""Tests for serzoo.synth_corpus: the procedurally synthesised acted-emotion corpus."""

import numpy as np
import pytest
import soundfile as sf

from serzoo import synth_corpus as sc

SR = 16000


def _utterance(speaker, emotion, text_id=3, seed=0):
    return sc.synthesize_utterance(speaker, emotion, text_id, np.random.default_rng(seed))


def _mean_f0(y, sr=SR, frame=0.04, hop=0.01):
    """Median autocorrelation F0 (Hz) over the loud frames of ``y``."""
    n, h = int(frame * sr), int(hop * sr)
    frames = np.lib.stride_tricks.sliding_window_view(y.astype(float), n)[::h]
    energy = (frames**2).mean(axis=1)
    frames = frames[energy > 0.3 * energy.max()]
    frames = frames - frames.mean(axis=1, keepdims=True)
    spectrum = np.abs(np.fft.rfft(frames, 2 * n, axis=1)) ** 2
    ac = np.fft.irfft(spectrum, axis=1)[:, :n]
    lo, hi = int(sr / 500), int(sr / 60)
    lags = lo + np.argmax(ac[:, lo:hi], axis=1)
    return float(np.median(sr / lags))


def _rms(y):
    return float(np.sqrt(np.mean(np.square(y, dtype=float))))


@pytest.fixture(scope="module")
def speakers():
    return sc.make_speakers(4, seed=0)


def test_emotion_constants_match_project_inventory():
    from serzoo import emotions

    assert sc.EMOTIONS == ("anger", "boredom", "disgust", "fear", "happiness", "sadness", "neutral")
    assert sc.EMOTIONS == emotions.EMODB_CLASSES
    assert {letter: e for e, letter in sc.LETTERS.items()} == emotions.EMODB_LETTERS
    assert set(sc.EMOTION_PARAMS) == set(sc.EMOTIONS)


def test_docstring_table_matches_parameters():
    assert sc.parameter_table() in sc.__doc__


def test_make_speakers_alternates_gender_and_is_prefix_stable():
    speakers = sc.make_speakers(10, seed=0)
    assert [s.id for s in speakers] == [f"{i:02d}" for i in range(1, 11)]
    assert [s.gender for s in speakers] == ["male", "female"] * 5
    assert all(m.f0_hz < f.f0_hz for m, f in zip(speakers[::2], speakers[1::2]))
    assert all(m.formant_scale < f.formant_scale for m, f in zip(speakers[::2], speakers[1::2]))
    assert sc.make_speakers(3, seed=0) == speakers[:3]
    assert sc.make_speakers(3, seed=1) != speakers[:3]
    with pytest.raises(ValueError, match="n_speakers"):
        sc.make_speakers(0)


def test_synthesis_is_deterministic_in_rng(speakers):
    a = _utterance(speakers[0], "fear", seed=5)
    b = _utterance(speakers[0], "fear", seed=5)
    c = _utterance(speakers[0], "fear", seed=6)
    np.testing.assert_array_equal(a, b)
    assert not (a.shape == c.shape and np.array_equal(a, c))


@pytest.mark.parametrize("emotion", sc.EMOTIONS)
def test_duration_and_amplitude_range(speakers, emotion):
    for speaker, text_id in zip(speakers[:2], (0, 7)):
        y = _utterance(speaker, emotion, text_id=text_id)
        assert y.dtype == np.float32 and y.ndim == 1
        assert 1.0 <= y.size / SR <= 2.5
        assert np.isfinite(y).all()
        assert np.abs(y).max() <= 1.0
        assert _rms(y) > 1e-3


def test_other_sample_rate(speakers):
    y = sc.synthesize_utterance(speakers[1], "happiness", 2, np.random.default_rng(0), 8000)
    assert 1.0 <= y.size / 8000 <= 2.5 and np.abs(y).max() <= 1.0


def test_same_text_same_vowel_sequence(speakers):
    def vowels(speaker, emotion, text_id):
        plan = sc._plan_utterance(speaker, emotion, text_id, np.random.default_rng(1), SR)
        return [(s.consonant, s.vowel) for s in plan.syllables]

    reference = vowels(speakers[0], "neutral", 4)
    assert vowels(speakers[1], "anger", 4) == reference
    assert vowels(speakers[2], "sadness", 4) == reference
    assert vowels(speakers[0], "neutral", 5) != reference


def test_invalid_synthesis_arguments(speakers):
    with pytest.raises(ValueError, match="emotion"):
        _utterance(speakers[0], "joy")
    with pytest.raises(ValueError, match="text_id"):
        _utterance(speakers[0], "anger", text_id=100)


@pytest.mark.parametrize("emotion", sc.EMOTIONS)
def test_name_round_trip(emotion):
    stem = sc.utterance_name("07", 3, emotion, "b")
    assert stem == f"07t03{sc.LETTERS[emotion]}b"
    assert sc.parse_utterance_name(stem) == {
        "speaker": "07",
        "text": "t03",
        "emotion": emotion,
        "version": "b",
    }


def test_name_examples():
    assert sc.utterance_name("01", 3, "anger") == "01t03Wa"
    assert sc.parse_utterance_name("03a01Fa")["emotion"] == "happiness"  # real EmoDB stem


@pytest.mark.parametrize("stem", ["01t03Xa", "01t03Wa.wav", "1t03Wa", "01t3Wa", "01t03WA", "", "x"])
def test_bad_name_raises(stem):
    with pytest.raises(ValueError, match="expected") as info:
        sc.parse_utterance_name(stem)
    assert repr(stem) in str(info.value)


def test_bad_name_error_names_unknown_letter():
    with pytest.raises(ValueError, match="unknown emotion letter 'X'"):
        sc.parse_utterance_name("01t03Xa")


def test_utterance_name_validates():
    for args in [("01", 3, "joy"), ("01", 100, "anger"), ("1", 3, "anger"), ("01", 3, "anger", "")]:
        with pytest.raises(ValueError):
            sc.utterance_name(*args)


def test_write_corpus_layout(tmp_path):
    paths = sc.write_corpus(tmp_path, n_speakers=2, utterances_per_emotion=1, seed=3)
    assert len(paths) == 2 * 7
    assert paths == sorted(paths)
    assert sorted((tmp_path / "wav").iterdir()) == paths
    parsed = [sc.parse_utterance_name(p.stem) for p in paths]
    assert {(d["speaker"], d["emotion"]) for d in parsed} == {(s, e) for s in ("01", "02") for e in sc.EMOTIONS}
    for path in paths:
        info = sf.info(path)
        assert (info.samplerate, info.channels, info.subtype) == (SR, 1, "PCM_16")
        assert 1.0 <= info.duration <= 2.5
    readme = (tmp_path / "README.txt").read_text()
    assert "synthetic" in readme.lower() and "serzoo" in readme
    assert "seed: 3" in readme and "n_speakers: 2" in readme and "files: 14" in readme
    assert not list(tmp_path.rglob("*.tmp"))


def test_write_corpus_is_byte_identical_per_seed(tmp_path):
    a = sc.write_corpus(tmp_path / "a", n_speakers=1, utterances_per_emotion=1, seed=0)
    b = sc.write_corpus(tmp_path / "b", n_speakers=1, utterances_per_emotion=1, seed=0)
    c = sc.write_corpus(tmp_path / "c", n_speakers=1, utterances_per_emotion=1, seed=1)
    assert [p.name for p in a] == [p.name for p in b]
    assert all(x.read_bytes() == y.read_bytes() for x, y in zip(a, b))
    assert any(x.read_bytes() != y.read_bytes() for x, y in zip(a, c))


def test_write_corpus_in_worker_processes_is_byte_identical(tmp_path):
    one = sc.write_corpus(tmp_path / "one", n_speakers=2, utterances_per_emotion=1)
    two = sc.write_corpus(tmp_path / "two", n_speakers=2, utterances_per_emotion=1, n_jobs=2)
    assert [p.name for p in one] == [p.name for p in two]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(one, two))


def test_write_corpus_resumes_without_rewriting(tmp_path):
    paths = sc.write_corpus(tmp_path, n_speakers=2, utterances_per_emotion=1)
    mtimes = [p.stat().st_mtime_ns for p in paths]
    original = paths[0].read_bytes()
    paths[0].write_bytes(original[: len(original) // 2])  # an interrupted, truncated file
    assert sc.write_corpus(tmp_path, n_speakers=2, utterances_per_emotion=1) == paths
    assert [p.stat().st_mtime_ns for p in paths[1:]] == mtimes[1:]
    assert paths[0].read_bytes() == original


def test_write_corpus_with_other_seed_rewrites(tmp_path):
    sc.write_corpus(tmp_path / "x", n_speakers=1, utterances_per_emotion=1, seed=0)
    mixed = sc.write_corpus(tmp_path / "x", n_speakers=1, utterances_per_emotion=1, seed=1)
    fresh = sc.write_corpus(tmp_path / "y", n_speakers=1, utterances_per_emotion=1, seed=1)
    assert [p.read_bytes() for p in mixed] == [p.read_bytes() for p in fresh]
    assert "seed: 1" in (tmp_path / "x" / "README.txt").read_text()


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n_speakers": 0}, "n_speakers"),
        ({"n_speakers": 100}, "n_speakers"),
        ({"utterances_per_emotion": 0}, "utterances_per_emotion"),
        ({"n_speakers": 1.5}, "n_speakers"),
    ],
)
def test_write_corpus_validates_arguments(tmp_path, kwargs, name):
    with pytest.raises(ValueError, match=name):
        sc.write_corpus(tmp_path, **kwargs)
    assert not (tmp_path / "wav").exists()


@pytest.mark.parametrize("speaker_index", [0, 1])
def test_anger_is_louder_higher_and_faster_than_sadness(speakers, speaker_index):
    speaker = speakers[speaker_index]

    def measure(emotion):
        ys = [_utterance(speaker, emotion, text_id=t, seed=t) for t in range(3)]
        return (
            np.mean([_rms(y) for y in ys]),
            np.mean([_mean_f0(y) for y in ys]),
            np.mean([y.size for y in ys]),
        )

    anger_rms, anger_f0, anger_len = measure("anger")
    sad_rms, sad_f0, sad_len = measure("sadness")
    assert anger_rms > 1.5 * sad_rms
    assert anger_f0 > 1.15 * sad_f0
    assert anger_len < sad_len
    assert 0.6 * speaker.f0_hz < sad_f0 < anger_f0 < 2.5 * speaker.f0_hz
