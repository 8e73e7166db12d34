"""EmoDB TFDS builder: openSMILE features, one split per speaker (leave-one-speaker-out).

Reference: Burkhardt, Paeschke, Rolfes, Sendlmeier, Weiss: "A database of German emotional
speech", Interspeech 2005.
"""

from __future__ import annotations

import logging
import re
import socket
import urllib.parse

import tensorflow_datasets as tfds
from etils import epath

from serzoo.emotions import EMODB_CLASSES, EMODB_LETTERS
from serzoo.tfds_builders.feature_corpus import FeatureCorpusBuilder, Utterance, feature_configs

logger = logging.getLogger(__name__)
ARCHIVE_URL = "http://emodb.bilderbar.info/download/download.zip"
#: seconds to wait for the archive's host before giving up (TFDS itself retries 10 times over minutes)
PROBE_SECONDS = 5
AUDIO_FOLDERS = ("wav", "wav_corpus")
SPEAKERS = ("03", "08", "09", "10", "11", "12", "13", "14", "15", "16")
MALE_SPEAKERS = ("03", "10", "11", "12", "15")
SENTENCES = {
    "a01": "Der Lappen liegt auf dem Eisschrank.",
    "a02": "Das will sie am Mittwoch abgeben.",
    "a04": "Heute abend könnte ich es ihm sagen.",
    "a05": "Das schwarze Stück Papier befindet sich da oben neben dem Holzstück.",
    "a07": "In sieben Stunden wird es soweit sein.",
    "b01": "Was sind denn das für Tüten, die da unter dem Tisch stehen?",
    "b02": "Sie haben es gerade hochgetragen und jetzt gehen sie wieder runter.",
    "b03": "An den Wochenenden bin ich jetzt immer nach Hause gefahren und habe Agnes besucht.",
    "b09": "Ich will das eben wegbringen und dann mit Karl was trinken gehen.",
    "b10": "Die wird auf dem Platz sein, wo wir sie immer hinlegen.",
}
NAME_PATTERN = re.compile(r"^(?P<speaker>\d\d)(?P<text>[ab]\d\d)(?P<letter>[A-Z])(?P<version>[a-z])$")
LAYOUT = (
    "Expected layout of the manual dir: <manual_dir>/wav/*.wav (or wav_corpus/), 535 files named "
    "like 15a05Lb.wav = speaker 15, text a05, emotion letter L, version b; letters "
    + ", ".join(f"{k}={v}" for k, v in EMODB_LETTERS.items())
    + ". Unzip the official archive download.zip there, or pass --manual-dir PATH."
)


def parse_file_name(path: epath.Path) -> Utterance:
    """Utterance of an EmoDB file name such as ``15a05Lb.wav``.

    Raises:
        ValueError: the name does not follow the EmoDB pattern or has an unknown emotion letter.
    """
    match = NAME_PATTERN.match(path.stem)
    if match is None:
        raise ValueError(f"{path}: not an EmoDB file name (expected e.g. 15a05Lb.wav). {LAYOUT}")
    letter, speaker = match["letter"], match["speaker"]
    if letter not in EMODB_LETTERS:
        raise ValueError(
            f"{path}: unknown emotion letter {letter!r}; EmoDB letters are "
            f"{', '.join(EMODB_LETTERS)}. Remove or rename the file."
        )
    if speaker not in SPEAKERS:
        raise ValueError(f"{path}: unknown EmoDB speaker {speaker!r}; known: {', '.join(SPEAKERS)}")
    return Utterance(
        utterance_id=path.stem,
        path=path,
        label=EMODB_LETTERS[letter],
        speaker=speaker,
        gender="male" if speaker in MALE_SPEAKERS else "female",
        text=SENTENCES.get(match["text"], match["text"]),
        group=speaker,
    )


def wav_files(folder: epath.Path) -> list[epath.Path]:
    """The WAV files of ``folder`` in name order, whatever the case of their suffix (``.wav``, ``.WAV``)."""
    return sorted(p for p in folder.iterdir() if p.suffix.lower() == ".wav")


def audio_folder(root: epath.Path) -> epath.Path:
    """EmoDB's WAV folder in ``root``: ``wav/`` or ``wav_corpus/``.

    Raises:
        FileNotFoundError: neither holds a WAV file.
        ValueError: both do (two copies of the corpus: serzoo does not guess which one is meant).
    """
    found = [root / name for name in AUDIO_FOLDERS if (root / name).is_dir() and wav_files(root / name)]
    if len(found) > 1:
        counts = " and ".join(f"{folder.name}/ ({len(wav_files(folder))} files)" for folder in found)
        raise ValueError(
            f"{root}: both {counts} hold WAV files; serzoo does not guess which copy of EmoDB to use: "
            "remove or rename one of the folders"
        )
    if not found:
        raise FileNotFoundError(f"no EmoDB WAV files under {root}. {LAYOUT}")
    return found[0]


def utterances_in(folder: epath.Path) -> list[Utterance]:
    """The utterances of the WAVs in ``folder`` (:func:`parse_file_name`); one file per utterance id.

    Raises:
        ValueError: a bad file name, or two files of one utterance (``03a01Wa.wav`` and ``03a01Wa.WAV``).
    """
    utterances, seen = [], {}
    for path in wav_files(folder):
        utterance = parse_file_name(path)
        if utterance.utterance_id in seen:
            raise ValueError(
                f"{seen[utterance.utterance_id]} and {path.name} are both utterance {utterance.utterance_id} "
                "(their names differ only in the case of the suffix); remove one of them"
            )
        seen[utterance.utterance_id] = path
        utterances.append(utterance)
    return utterances


def download_archive(dl_manager, problem: str) -> epath.Path:
    """Download and extract the official archive, failing within :data:`PROBE_SECONDS` when offline.

    The archive's size and SHA-256 are not in ``checksums.tsv`` (they could not be recorded where serzoo was
    built, with no network), so TFDS cannot verify the download; the audio checks of the build still apply.
    """
    host = urllib.parse.urlsplit(ARCHIVE_URL).hostname
    try:
        socket.create_connection((host, 80), timeout=PROBE_SECONDS).close()
    except OSError as err:
        raise FileNotFoundError(
            f"EmoDB not found: {problem}; and the download of {ARCHIVE_URL} failed: {host} cannot be reached "
            f"({err}; offline?). {LAYOUT}"
        ) from err
    logger.warning(
        "EmoDB: %s; downloading the official archive %s over plain HTTP (no checksum is registered for it, so "
        "the download is not verified; `tfds build tfds_builders/emodb --register_checksums` records one)",
        problem,
        ARCHIVE_URL,
    )
    try:
        return epath.Path(dl_manager.download_and_extract(ARCHIVE_URL))
    except Exception as download_err:
        raise FileNotFoundError(
            f"EmoDB not found: {problem}; and the download of {ARCHIVE_URL} failed "
            f"({type(download_err).__name__}: {download_err}). {LAYOUT}"
        ) from download_err


class Builder(FeatureCorpusBuilder):
    """EmoDB: 535 utterances, 10 speakers, 7 emotions; splits ``speaker03`` … ``speaker16``.

    All data: ``split="+".join(builder.group_splits())`` or ``tfds.load(..., split="all")``.
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: openSMILE features, one split per speaker."}
    BUILDER_CONFIGS = feature_configs()
    MANUAL_DOWNLOAD_INSTRUCTIONS = (
        "Place the EmoDB release so that <manual_dir>/wav/03a01Fa.wav exists (wav_corpus/ is "
        f"accepted too). Official archive: {ARCHIVE_URL}"
    )
    CLASS_NAMES = EMODB_CLASSES
    GROUPS = SPEAKERS
    SPLIT_PREFIX = "speaker"
    HOMEPAGE = "http://emodb.bilderbar.info/"
    CORPUS_DESCRIPTION = (
        "Berlin Database of Emotional Speech: 10 actors (5 female, 5 male) speak 10 German "
        "sentences in 7 emotions; features are openSMILE descriptors of each utterance."
    )
    LAYOUT = LAYOUT

    def _audio_folder(self, dl_manager) -> epath.Path:
        try:
            root = epath.Path(dl_manager.manual_dir)
        except AssertionError as err:  # no manual dir, or it is empty: try the official archive
            root = download_archive(dl_manager, str(err).splitlines()[0])
        return audio_folder(root)

    def _utterances(self, dl_manager) -> list[Utterance]:
        return utterances_in(self._audio_folder(dl_manager))
