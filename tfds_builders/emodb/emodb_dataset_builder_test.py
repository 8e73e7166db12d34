"""EmoDB builder tests on the synthetic dummy data (two stand-in files per speaker).

The TFDS builder test, then bad input: each a clear error, nothing half-written left behind.
"""

import pathlib
import shutil
import time

import numpy as np
import pytest
import soundfile
import tensorflow_datasets as tfds

from serzoo import data
from serzoo.features import AudioFileError
from serzoo.tfds_builders import testing
from serzoo.tfds_builders.emodb import emodb_dataset_builder

DUMMY = pathlib.Path(emodb_dataset_builder.__file__).parent / "dummy_data"


class EmodbTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = emodb_dataset_builder.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["egemaps", "compare_lld"]
    SPLITS = {f"speaker{s}": 2 for s in emodb_dataset_builder.SPEAKERS}
    SKIP_CHECKSUMS = True  # the archive URL's checksum cannot be registered offline


@pytest.fixture
def corpus_copy(tmp_path):
    """A writable copy of the synthetic dummy corpus (20 files, two per speaker)."""
    shutil.copytree(DUMMY / "wav", tmp_path / "emodb" / "wav")
    return tmp_path / "emodb"


def _build(manual_dir, data_dir):
    return data.prepare_builder("emodb/egemaps", data_dir=data_dir, manual_dir=manual_dir)


def _assert_nothing_written(data_dir: pathlib.Path):
    testing.assert_nothing_written(data_dir, "emodb", "egemaps")


def test_parse_file_name():
    utt = emodb_dataset_builder.parse_file_name(pathlib.Path("wav/15a05Lb.wav"))
    assert (utt.speaker, utt.label, utt.gender, utt.group) == ("15", "boredom", "male", "15")
    assert utt.text.startswith("Das schwarze Stück Papier")


def test_unknown_emotion_letter_names_the_file(corpus_copy, tmp_path):
    shutil.copy(corpus_copy / "wav" / "03a01Wa.wav", corpus_copy / "wav" / "03a01Xa.wav")
    with pytest.raises(ValueError, match="03a01Xa.wav: unknown emotion letter 'X'"):
        _build(corpus_copy, tmp_path / "data")
    _assert_nothing_written(tmp_path / "data")


def test_corrupt_wav_names_the_file_and_a_fixed_rerun_builds(corpus_copy, tmp_path):
    good = (corpus_copy / "wav" / "09a05La.wav").read_bytes()
    (corpus_copy / "wav" / "09a05La.wav").write_bytes(b"RIFF....WAVEjunk")
    with pytest.raises(AudioFileError, match="09a05La.wav: cannot read audio"):
        _build(corpus_copy, tmp_path / "data")
    _assert_nothing_written(tmp_path / "data")
    (corpus_copy / "wav" / "09a05La.wav").write_bytes(good)
    builder = _build(corpus_copy, tmp_path / "data")
    assert builder.info.splits["speaker09"].num_examples == 2


REFUSED_COPIES = {  # name: (damage the wav/ folder, error, message)
    "silent_wav": (
        lambda wav: soundfile.write(wav / "09a05La.wav", np.zeros(8000, np.float32), 16000),
        AudioFileError,
        "09a05La.wav: the recording is digital silence",
    ),
    "identical_audio": (
        lambda wav: shutil.copy(wav / "03a01Wa.wav", wav / "16a02Wa.wav"),
        ValueError,
        "(?s)identical audio.*03a01Wa.wav = .*16a02Wa.wav.*Keep one file",
    ),
    "wav_and_wav_corpus": (
        lambda wav: shutil.copytree(wav, wav.parent / "wav_corpus"),
        ValueError,
        r"both wav/ \(20 files\) and wav_corpus/ \(20 files\) hold WAV files",
    ),
}


@pytest.mark.parametrize("case", REFUSED_COPIES)
def test_bad_copy_stops_the_build_and_writes_nothing(corpus_copy, tmp_path, case):
    damage, error, message = REFUSED_COPIES[case]
    damage(corpus_copy / "wav")
    testing.assert_build_refused(
        emodb_dataset_builder.Builder, "egemaps", corpus_copy, tmp_path / "data", error, message
    )


def test_upper_case_suffix_is_read_and_a_second_spelling_is_an_error(corpus_copy, tmp_path):
    (corpus_copy / "wav" / "03a01Wa.wav").rename(corpus_copy / "wav" / "03a01Wa.WAV")
    builder = _build(corpus_copy, tmp_path / "data")
    assert builder.info.splits["speaker03"].num_examples == 2
    shutil.copy(corpus_copy / "wav" / "03a01Wa.WAV", corpus_copy / "wav" / "03a01Wa.wav")
    with pytest.raises(ValueError, match="03a01Wa.WAV and 03a01Wa.wav are both utterance 03a01Wa"):
        emodb_dataset_builder.utterances_in(corpus_copy / "wav")


def test_empty_speaker_split_is_an_error(corpus_copy, tmp_path):
    for path in (corpus_copy / "wav").glob("16*.wav"):
        path.unlink()
    with pytest.raises(ValueError, match="empty split.*speaker16.*Expected layout"):
        _build(corpus_copy, tmp_path / "data")
    _assert_nothing_written(tmp_path / "data")


def test_manual_dir_without_wav_folder_names_the_layout(tmp_path):
    (tmp_path / "emodb").mkdir()
    (tmp_path / "emodb" / "notes.txt").write_text("not the corpus")
    with pytest.raises(FileNotFoundError, match="no EmoDB WAV files.*wav/\\*.wav \\(or wav_corpus/\\)"):
        _build(tmp_path / "emodb", tmp_path / "data")


def test_wav_corpus_folder_is_accepted(tmp_path):
    shutil.copytree(DUMMY / "wav", tmp_path / "emodb" / "wav_corpus")
    assert _build(tmp_path / "emodb", tmp_path / "data").info.splits.total_num_examples == 20


def test_no_manual_dir_and_failed_download_is_a_clear_error(tmp_path, monkeypatch):
    def offline(self, url):
        raise ConnectionError(f"no network for {url}")

    monkeypatch.setattr(tfds.download.DownloadManager, "download_and_extract", offline)
    with pytest.raises(FileNotFoundError, match="EmoDB not found.*download of http.*failed.*Expected layout"):
        data.prepare_builder("emodb/egemaps", data_dir=tmp_path / "data")


def test_offline_download_fails_fast_without_retrying(tmp_path, monkeypatch):
    def no_download(self, url):
        raise AssertionError("the download must not start when the host cannot be reached")

    def unreachable(address, timeout):
        raise OSError(f"cannot reach {address[0]}")

    monkeypatch.setattr(tfds.download.DownloadManager, "download_and_extract", no_download)
    monkeypatch.setattr(emodb_dataset_builder.socket, "create_connection", unreachable)
    start = time.monotonic()
    with pytest.raises(FileNotFoundError, match="download of http.*failed: emodb.bilderbar.info cannot be reached"):
        data.prepare_builder("emodb/egemaps", data_dir=tmp_path / "data")
    assert time.monotonic() - start < 30  # TFDS's own retries took 206 s


if __name__ == "__main__":
    tfds.testing.test_main()
