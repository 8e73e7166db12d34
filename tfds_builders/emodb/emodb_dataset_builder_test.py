"""EmoDB builder tests on the synthetic dummy data (two stand-in files per speaker).

The TFDS builder test, then bad input: each a clear error, nothing half-written left behind.
"""

import pathlib
import shutil

import pytest
import tensorflow_datasets as tfds

from serzoo import data
from serzoo.features import AudioFileError
from tfds_builders import testing
from tfds_builders.emodb import emodb_dataset_builder

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


if __name__ == "__main__":
    tfds.testing.test_main()
