"""openSMILE registry and extraction: dimensions, resampling, bad files, cache resume."""

import numpy as np
import pytest

from serzoo import features
from tests.audio_fixtures import write_wav


def test_registry_dimensions_and_alias():
    dims = {name: fs.dim for name, fs in features.FEATURE_SETS.items()}
    assert dims == {"is09": 384, "is10": 1582, "is11": 4368, "is13": 6373, "egemaps": 88, "compare_lld": 65}
    assert features.get_feature_set("compare") is features.FEATURE_SETS["is13"]
    assert features.get_feature_set("IS11").name == "is11"
    assert features.FEATURE_SETS["compare_lld"].frame_level


def test_unknown_feature_set_lists_choices():
    with pytest.raises(ValueError, match="unknown feature set 'is99'.*egemaps"):
        features.get_feature_set("is99")


def test_every_feature_set_extracts_its_dimension(tmp_path):
    wav = write_wav(tmp_path / "one.wav", seconds=1.0)
    for fs in features.FEATURE_SETS.values():
        values = features.extract_file(wav, fs.name)
        assert values.dtype == np.float32 and np.isfinite(values).all()
        if fs.frame_level:  # 10 ms hop: about 100 frames per second
            assert values.shape[1] == 65 and 90 <= values.shape[0] <= 102
        else:
            assert values.shape == (fs.dim,)


def test_resampling_and_stereo_give_16k_features(tmp_path):
    native = features.read_audio(write_wav(tmp_path / "a.wav", seconds=1.0))
    resampled = features.read_audio(write_wav(tmp_path / "b.wav", seconds=1.0, sample_rate=44100))
    stereo = features.read_audio(write_wav(tmp_path / "c.wav", seconds=1.0, channels=2))
    assert native.shape == (16000,) and resampled.shape == (16000,) and stereo.shape == (16000,)


def test_channel_reads_one_microphone_and_is_cached_apart_from_the_mix(tmp_path):
    import soundfile

    near = features.read_audio(write_wav(tmp_path / "near.wav", seconds=1.0, sample_rate=48000), 48000)
    far = 0.5 * np.concatenate([np.zeros(24, np.float32), near[:-24]])  # a second microphone 0.5 ms away
    two = tmp_path / "two.wav"
    soundfile.write(two, np.stack([near, far], axis=1), 48000, subtype="FLOAT")
    np.testing.assert_array_equal(features.read_audio(two, 48000, channel=0), near)
    np.testing.assert_allclose(features.read_audio(two, 48000), (near + far) / 2, atol=1e-7)
    with pytest.raises(features.AudioFileError, match="two.wav: the file has 2 channel.*channel 2 .* does not exist"):
        features.read_audio(two, channel=2)
    cache = tmp_path / "cache"
    first = features.extract_many([two], "egemaps", channel=0, cache_dir=cache, progress=False).features[0]
    mixed = features.extract_many([two], "egemaps", cache_dir=cache, progress=False).features[0]
    assert not np.allclose(first, mixed, rtol=1e-3)  # the mix is not served from the channel's cache entry
    assert len(list((cache / "egemaps").glob("*.npy"))) == 2


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"RIFF\x00\x00\x00\x00WAVEfmt garbage", "cannot read audio"),
        (b"this is a text file, not audio\n", "cannot read audio"),
    ],
)
def test_corrupt_or_non_audio_file_is_named(tmp_path, content, reason):
    bad = tmp_path / "broken.wav"
    bad.write_bytes(content)
    with pytest.raises(features.AudioFileError, match=f"broken.wav.*{reason}"):
        features.extract_many([bad], "egemaps", progress=False)


def test_empty_audio_file_is_named(tmp_path):
    import soundfile

    empty = tmp_path / "empty.wav"
    soundfile.write(empty, np.zeros(0, np.float32), 16000)
    with pytest.raises(features.AudioFileError, match="empty.wav.*no samples"):
        features.read_audio(empty)


def test_skip_mode_lists_bad_files_and_keeps_order(tmp_path):
    good = [write_wav(tmp_path / f"g{i}.wav", seed=i) for i in range(3)]
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not audio")
    result = features.extract_many([good[0], bad, good[1], good[2]], "egemaps", on_error="skip", progress=False)
    assert result.paths == good
    assert [p for p, _ in result.skipped] == [bad]
    assert result.stacked().shape == (3, 88)


def test_cache_makes_a_second_extraction_free(tmp_path, monkeypatch):
    wavs = [write_wav(tmp_path / f"w{i}.wav", seed=i) for i in range(2)]
    first = features.extract_many(wavs, "egemaps", cache_dir=tmp_path / "cache", progress=False)
    assert len(list((tmp_path / "cache" / "egemaps").glob("*.npy"))) == 2

    def no_workers(*args, **kwargs):
        raise AssertionError("extraction should come from the cache")

    monkeypatch.setattr(features.concurrent.futures, "ProcessPoolExecutor", no_workers)
    second = features.extract_many(wavs, "egemaps", cache_dir=tmp_path / "cache", progress=False)
    np.testing.assert_array_equal(first.stacked(), second.stacked())


def test_bad_on_error_value():
    with pytest.raises(ValueError, match="on_error"):
        features.extract_many([], "is09", on_error="ignore")
