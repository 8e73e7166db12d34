"""Bad audio never becomes an utterance: each case is an AudioFileError naming the file and the fix."""

import shutil

import numpy as np
import pytest
import soundfile

from serzoo import audio, features
from tests.audio_fixtures import write_wav


def _noise(seconds=0.6, scale=0.1):
    return (scale * np.random.default_rng(0).standard_normal(int(seconds * 16000))).astype(np.float32)


def _truncated(path):
    write_wav(path, seconds=0.6)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # the header still declares 0.6 s


def _with_nan(path):
    signal = _noise()
    signal[100:110] = np.nan
    soundfile.write(path, signal, 16000, subtype="FLOAT")


def _with_inf(path):
    signal = _noise()
    signal[200] = -np.inf
    soundfile.write(path, signal, 16000, subtype="FLOAT")


BAD_AUDIO = {  # name: (write the bad file, expected message)
    "silent": (
        lambda p: soundfile.write(p, np.zeros(9600, np.float32), 16000, subtype="PCM_16"),
        r"digital silence \(peak amplitude 0",
    ),
    "truncated": (_truncated, r"header declares 9600 samples \(0.600 s\) but the file holds 4\d\d\d .*truncated"),
    "nan": (_with_nan, r"10 of 9600 samples are NaN or infinite \(the first at 0.006 s\)"),
    "inf": (_with_inf, r"1 of 9600 samples are NaN or infinite \(the first at 0.013 s\)"),
    "beyond_full_scale": (
        lambda p: soundfile.write(p, _noise(scale=4.0), 16000, subtype="FLOAT"),
        r"samples reach 1\d\.\d, outside the \[-1, 1\] full scale .* divide the audio by its peak",
    ),
    "too_short": (
        lambda p: soundfile.write(p, _noise(0.05), 16000, subtype="PCM_16"),
        r"0.050 s long \(800 samples at 16000 Hz\), shorter than the minimum of 0.1 s",
    ),
}


@pytest.mark.parametrize("case", BAD_AUDIO)
def test_bad_audio_is_a_named_error(tmp_path, case):
    write, message = BAD_AUDIO[case]
    path = tmp_path / f"{case}.wav"
    write(path)
    with pytest.raises(features.AudioFileError, match=f"{case}.wav: .*{message}"):
        features.read_audio(path)
    assert audio.check_file(path).problem.startswith(f"{path}: ")


def test_bad_audio_stops_extraction_or_is_a_listed_skip(tmp_path):
    good = write_wav(tmp_path / "good.wav")
    silent = tmp_path / "silent.wav"
    BAD_AUDIO["silent"][0](silent)
    with pytest.raises(features.AudioFileError, match="silent.wav: the recording is digital silence"):
        features.extract_many([good, silent], "egemaps", n_jobs=1, progress=False)
    result = features.extract_many([good, silent], "egemaps", n_jobs=1, on_error="skip", progress=False)
    assert result.paths == [good] and [p for p, _ in result.skipped] == [silent]


def test_good_audio_passes_the_checks_including_a_pad_chunk_and_full_scale_float(tmp_path):
    wav = write_wav(tmp_path / "good.wav")
    data = wav.read_bytes()  # insert a RIFF "PAD " chunk before "data" (as in four EmoDB files)
    at = data.index(b"data")
    padded = data[:at] + b"PAD " + (6).to_bytes(4, "little") + bytes(6) + data[at:]
    (tmp_path / "pad.wav").write_bytes(padded[:4] + (len(padded) - 8).to_bytes(4, "little") + padded[8:])
    soundfile.write(tmp_path / "full.wav", np.clip(_noise(scale=1.0), -1, 1), 16000, subtype="FLOAT")
    for name in ("good.wav", "pad.wav", "full.wav"):
        check = audio.check_file(tmp_path / name)
        assert check.problem is None and check.sample_rate == 16000
    assert audio.content_hash(tmp_path / "pad.wav") == audio.content_hash(wav)  # the audio, not the header
    assert audio.wav_data_chunk(tmp_path / "pad.wav").offset == audio.wav_data_chunk(wav).offset + 14


def test_duplicate_groups_find_identical_audio(tmp_path):
    a, b = write_wav(tmp_path / "a.wav", seed=0), write_wav(tmp_path / "b.wav", seed=1)
    shutil.copy(a, tmp_path / "copy.wav")
    assert audio.duplicate_groups([a, b, tmp_path / "copy.wav"]) == [[a, tmp_path / "copy.wav"]]
    assert audio.duplicate_groups([a, b]) == []


def test_non_finite_features_say_what_is_known_not_is_the_file_silent(tmp_path):
    class NanExtractor:  # a signal that passed the checks, but openSMILE gives NaN
        def process_signal(self, signal, rate):
            import pandas as pd

            return pd.DataFrame(np.full((1, 88), np.nan, np.float32))

    wav = write_wav(tmp_path / "odd.wav")
    with pytest.raises(
        features.AudioFileError,
        match=r"odd.wav: openSMILE's egemaps configuration returned 88 "
        r"non-finite value\(s\) of 88 for this 0.600 s recording",
    ):
        features._extract_with(NanExtractor(), wav, features.get_feature_set("egemaps"))


def test_damaged_cache_file_is_named_removed_and_re_extracted(tmp_path, caplog):
    wav = write_wav(tmp_path / "w.wav")
    first = features.extract_many([wav], "egemaps", cache_dir=tmp_path / "cache", n_jobs=1, progress=False)
    (cached,) = (tmp_path / "cache" / "egemaps").glob("*.npy")
    cached.write_bytes(cached.read_bytes()[:100])  # truncated
    with caplog.at_level("WARNING", logger="serzoo.features"):
        second = features.extract_many([wav], "egemaps", cache_dir=tmp_path / "cache", n_jobs=1, progress=False)
    np.testing.assert_array_equal(first.stacked(), second.stacked())
    assert any(str(cached) in m and str(wav) in m and "extracted again" in m for m in caplog.messages)
    assert np.load(cached).shape == (88,)  # rewritten whole


SCRIPT_WITHOUT_MAIN_GUARD = """
from serzoo import features
features.extract_many([{wav!r}], "egemaps", n_jobs=1, progress=False)
print("extracted")
"""


def test_script_without_main_guard_is_explained(tmp_path):
    import os
    import subprocess
    import sys

    wav = write_wav(tmp_path / "w.wav")
    script = tmp_path / "script.py"
    script.write_text(SCRIPT_WITHOUT_MAIN_GUARD.format(wav=str(wav)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "SERZOO_CACHE_DIR": str(tmp_path / "cache")}
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode != 0
    assert "RuntimeError: an openSMILE worker process died" in run.stderr
    assert 'if __name__ == "__main__":' in run.stderr
