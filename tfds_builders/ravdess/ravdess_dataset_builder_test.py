"""RAVDESS builder tests on the synthetic dummy data (27 stand-in files, 48 kHz, three stereo).

The TFDS builder test, the parsed fields, the release's duplicate pair (kept, with a warning), then bad
input: each a clear error naming the file, nothing half-written left behind.
"""

import pathlib
import shutil

import numpy as np
import pytest
import soundfile
import tensorflow_datasets as tfds

from serzoo import audio
from serzoo.features import AudioFileError
from serzoo.tfds_builders import testing
from serzoo.tfds_builders.ravdess import ravdess_dataset_builder as ravdess

DUMMY = pathlib.Path(ravdess.__file__).parent / "dummy_data"
PAIR = sorted(ravdess.KNOWN_DUPLICATE)  # the release's identical pair, both in Actor_07


class RavdessTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = ravdess.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["egemaps", "compare_lld"]
    SPLITS = {f"actor{a}": 2 if a in ("01", "07", "24") else 1 for a in ravdess.ACTORS}
    SKIP_CHECKSUMS = True  # manual download only


@pytest.fixture
def corpus_copy(tmp_path):
    """A writable copy of the dummy corpus (Actor_01 ... Actor_24)."""
    shutil.copytree(DUMMY, tmp_path / "ravdess")
    return tmp_path / "ravdess"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The dummy corpus built once (egemaps): ``(builder, rows, warnings)`` of :func:`testing.build_logged`."""
    data_dir = tmp_path_factory.mktemp("ravdess_data")
    return testing.build_logged(ravdess.Builder, "egemaps", DUMMY, data_dir)


def _refused(manual_dir, data_dir, error, match):
    testing.assert_build_refused(ravdess.Builder, "egemaps", manual_dir, data_dir, error, match)


def test_parse_file_name_reads_every_field():
    utt = ravdess.parse_file_name(pathlib.Path("Actor_12/03-01-05-02-02-01-12.wav"))
    assert (utt.label, utt.speaker, utt.gender, utt.group) == ("anger", "12", "female", "12")
    assert utt.text == "Dogs are sitting by the door"
    assert utt.extra == {"intensity": "strong", "statement": 2, "repetition": 1}
    odd = ravdess.parse_file_name(pathlib.Path("03-01-01-01-01-02-07.wav"))
    assert (odd.label, odd.gender, odd.text) == ("neutral", "male", "Kids are talking by the door")


def test_build_keeps_the_released_duplicate_with_a_warning_naming_both(built):
    builder, rows, warnings = built
    assert set(PAIR) <= set(rows) and len(rows) == 27
    assert builder.info.splits["actor07"].num_examples == 2
    np.testing.assert_array_equal(rows[PAIR[0]]["features"], rows[PAIR[1]]["features"])
    (message,) = [m for m in warnings if "identical audio" in m]
    assert f"Actor_07/{PAIR[0]}.wav and " in message and f"Actor_07/{PAIR[1]}.wav hold identical audio" in message
    assert "as in the official release; both are kept" in message and "cannot leak" in message


def test_built_examples_carry_the_corpus_fields(built):
    builder, rows, _ = built
    row = rows["03-01-05-01-01-02-05"]  # a stereo file (identical channels, as RAVDESS's five)
    names = builder.info.features
    assert names["label"].int2str(row["label"]) == "anger" and names["gender"].int2str(row["gender"]) == "male"
    assert names["intensity"].int2str(row["intensity"]) == "normal"
    assert (row["statement"], row["repetition"], row["speaker"]) == (1, 2, b"05")
    assert row["text"] == b"Kids are talking by the door"
    assert names["label"].names == list(ravdess.RAVDESS_CLASSES)


def test_dummy_data_is_48k_with_stereo_files_mixed_down():
    infos = {p.name: soundfile.info(p) for p in DUMMY.glob("Actor_*/*.wav")}
    assert {i.samplerate for i in infos.values()} == {48000}
    stereo = sorted(name for name, i in infos.items() if i.channels == 2)
    assert len(stereo) == 3
    path = next(DUMMY.glob(f"Actor_*/{stereo[0]}"))
    both, _ = soundfile.read(path, dtype="float32", always_2d=True)
    signal = audio.read_audio(path)  # 16 kHz mono: the mean of the channels, resampled
    assert signal.shape == (both.shape[0] // 3,)
    from scipy.signal import resample_poly

    np.testing.assert_allclose(signal, resample_poly(both.mean(axis=1), 1, 3), atol=1e-6)


BAD_NAMES = {  # file name: message
    "03-02-05-01-01-01-03.wav": "audio-only song file; serzoo reads the audio-only speech release only",
    "01-01-05-01-01-01-03.mp4": "full audio-video speech file",
    "02-01-05-01-01-01-03.mp4": "video-only speech file",
    "03-01-09-01-01-01-03.wav": "unknown emotion code '09'",
    "03-01-01-02-01-01-03.wav": "neutral \\(emotion 01\\) has normal intensity \\(01\\) only",
    "03-01-05-03-01-01-03.wav": "unknown intensity code '03'",
    "03-01-05-01-03-01-03.wav": "unknown statement code '03'",
    "03-01-05-01-01-03-03.wav": "unknown repetition code '03'",
    "03-01-05-01-01-01.wav": "not a RAVDESS file name",
    "03-04-05-01-01-01-03.wav": "unknown vocal channel code '04'",
    "03-01-05-01-01-01-03.mp4": "RAVDESS speech audio is released as WAV",
}


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_file_name_is_refused_naming_it(name):
    with pytest.raises(ValueError, match=f"{name}: .*{BAD_NAMES[name]}"):
        ravdess.parse_file_name(pathlib.Path("Actor_03") / name)


def test_song_file_in_an_actor_folder_stops_the_build(corpus_copy, tmp_path):
    shutil.copy(next((corpus_copy / "Actor_03").glob("*.wav")), corpus_copy / "Actor_03" / "03-02-05-01-01-01-03.wav")
    _refused(corpus_copy, tmp_path / "data", ValueError, "(?s)1 file\\(s\\) refused.*03-02-05-01-01-01-03.wav.*song")


def test_file_of_another_actor_and_unknown_actor_are_refused(corpus_copy, tmp_path):
    source = next((corpus_copy / "Actor_03").glob("*.wav"))
    shutil.copy(source, corpus_copy / "Actor_03" / "03-01-02-01-01-01-04.wav")
    shutil.copy(source, corpus_copy / "Actor_03" / "03-01-02-01-01-01-25.wav")
    scan = ravdess.scan_corpus(corpus_copy)
    assert len(scan.problems) == 2 and len(scan.utterances) == 27
    assert "03-01-02-01-01-01-04.wav: its name gives speaker 04, but it lies in Actor_03/" in scan.problems[0]
    assert "03-01-02-01-01-01-25.wav: unknown actor code '25'" in scan.problems[1]
    _refused(corpus_copy, tmp_path / "data", ValueError, "2 file\\(s\\) refused")


def test_missing_actor_folder_is_named(corpus_copy, tmp_path):
    shutil.rmtree(corpus_copy / "Actor_05")
    _refused(
        corpus_copy, tmp_path / "data", FileNotFoundError, "(?s)1 speaker folder\\(s\\) missing.*Actor_05 does not"
    )


def test_empty_actor_folder_is_an_empty_split(corpus_copy, tmp_path):
    for path in (corpus_copy / "Actor_16").iterdir():
        path.unlink()
    _refused(corpus_copy, tmp_path / "data", ValueError, "empty split\\(s\\) actor16.*Expected layout")


def test_other_identical_audio_is_still_an_error(corpus_copy, tmp_path):
    shutil.copy(next((corpus_copy / "Actor_02").glob("*.wav")), corpus_copy / "Actor_03" / "03-01-02-01-01-01-03.wav")
    _refused(
        corpus_copy, tmp_path / "data", ValueError, "(?s)1 group\\(s\\) of files hold identical.*Actor_02/.*Keep one"
    )


def test_corrupt_wav_names_the_file(corpus_copy, tmp_path):
    (corpus_copy / "Actor_09" / "03-01-01-01-01-01-09.wav").write_bytes(b"RIFF....WAVEjunk")
    _refused(corpus_copy, tmp_path / "data", AudioFileError, "03-01-01-01-01-01-09.wav: cannot read audio")


def test_release_folder_is_accepted_and_no_manual_dir_says_where_to_get_it(tmp_path):
    shutil.copytree(DUMMY, tmp_path / "manual" / ravdess.RELEASE_FOLDER)
    scan = ravdess.scan_corpus(tmp_path / "manual")
    assert scan.root == tmp_path / "manual" / ravdess.RELEASE_FOLDER and len(scan.utterances) == 27
    with pytest.raises(FileNotFoundError, match="RAVDESS not found in .*empty: no Actor_01 ... Actor_24 folder"):
        ravdess.scan_corpus(tmp_path / "empty")
    builder = ravdess.Builder(config="egemaps", data_dir=tmp_path / "data")
    with pytest.raises(FileNotFoundError, match="(?s)never downloads RAVDESS.*Zenodo record 1188976"):
        builder.download_and_prepare()


if __name__ == "__main__":
    tfds.testing.test_main()
