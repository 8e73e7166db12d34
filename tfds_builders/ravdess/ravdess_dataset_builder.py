"""RAVDESS (speech audio) TFDS builder: openSMILE features, one split per actor (leave-one-actor-out).

The parsing functions are module-level and pure (no TFDS state), so that :mod:`serzoo.verify_corpus`
checks a corpus copy with exactly the code that builds it.

Reference: Livingstone & Russo, "The Ryerson Audio-Visual Database of Emotional Speech and Song
(RAVDESS)", PLoS ONE 13(5): e0196391, 2018 (file-name convention: its "Filename convention" section).
"""

from __future__ import annotations

import re

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from serzoo.emotions import RAVDESS_CLASSES, RAVDESS_CODES
from serzoo.tfds_builders.feature_corpus import (
    FeatureCorpusBuilder,
    FolderScan,
    Utterance,
    feature_configs,
    folder_root,
    scan_folders,
)

ACTORS = tuple(f"{n:02d}" for n in range(1, 25))
#: split group (actor) -> its folder in the release
FOLDERS = {actor: f"Actor_{actor}" for actor in ACTORS}
#: the folder some unzip tools put the release's ``Actor_XX/`` folders in
RELEASE_FOLDER = "Audio_Speech_Actors_01-24"
RECORD_URL = "https://zenodo.org/record/1188976"
MODALITIES = {"01": "full audio-video", "02": "video-only", "03": "audio-only"}
VOCAL_CHANNELS = {"01": "speech", "02": "song"}
INTENSITIES = {"01": "normal", "02": "strong"}
STATEMENTS = {"01": "Kids are talking by the door", "02": "Dogs are sitting by the door"}
REPETITIONS = ("01", "02")
#: the design of the speech release: per actor, neutral x 2 statements x 2 repetitions (normal intensity
#: only) + 7 emotions x 2 intensities x 2 statements x 2 repetitions = 4 + 56 = 60 files
PER_ACTOR = 60
NAME_PATTERN = re.compile(r"^(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)$")
LAYOUT = (
    "Expected layout of the manual dir: <manual_dir>/Actor_01/ ... Actor_24/ (or inside "
    f"{RELEASE_FOLDER}/), 60 WAVs each, named like 03-01-05-01-02-01-12.wav = modality 03 (audio-only) - "
    "vocal channel 01 (speech) - emotion 05 - intensity 01 - statement 02 - repetition 01 - actor 12; "
    "emotions " + ", ".join(f"{k}={v}" for k, v in RAVDESS_CODES.items()) + f". Unzip {RELEASE_FOLDER}.zip of "
    f"{RECORD_URL} there, or pass --manual-dir PATH."
)
#: the release's one byte-identical pair (happy, normal intensity, statement 02, actor 07: repetitions 01 and 02)
KNOWN_DUPLICATE = frozenset({"03-01-03-01-02-01-07", "03-01-03-01-02-02-07"})
KNOWN_DUPLICATE_REASON = (
    "the official release (Zenodo 1188976, Audio_Speech_Actors_01-24.zip) holds the same recording under both "
    "names (repetitions 01 and 02 of happy, normal intensity, statement 02 by actor 07). Both stay, so that the "
    "corpus is the one released, with the 1,440 files (60 per actor) that papers report; the pair lies in one "
    "actor's split, so it cannot leak between training and test folds."
)


def _field(path, value: str, codes, what: str) -> str:
    if value not in codes:
        raise ValueError(f"{path}: unknown {what} code {value!r}; RAVDESS {what} codes are {', '.join(codes)}")
    return value


def parse_file_name(path: epath.PathLike) -> Utterance:
    """Utterance of a RAVDESS speech file name such as ``03-01-05-01-02-01-12.wav``.

    Raises:
        ValueError: the name does not follow the RAVDESS pattern, has an unknown code, or is a song,
            video or audio-video file (this builder reads the audio-only speech release).
    """
    path = epath.Path(path)
    match = NAME_PATTERN.match(path.stem)
    if match is None:
        raise ValueError(f"{path}: not a RAVDESS file name (expected e.g. 03-01-05-01-02-01-12.wav). {LAYOUT}")
    modality, channel, emotion, intensity, statement, repetition, actor = match.groups()
    _field(path, modality, MODALITIES, "modality")
    _field(path, channel, VOCAL_CHANNELS, "vocal channel")
    if (modality, channel) != ("03", "01"):
        raise ValueError(
            f"{path}: a RAVDESS {MODALITIES[modality]} {VOCAL_CHANNELS[channel]} file; serzoo reads the audio-only "
            f"speech release only (03-01-*.wav, {RELEASE_FOLDER}.zip): remove it from the manual dir"
        )
    if path.suffix.lower() != ".wav":
        raise ValueError(f"{path}: RAVDESS speech audio is released as WAV; replace it with the release's WAV file")
    _field(path, emotion, RAVDESS_CODES, "emotion")
    _field(path, intensity, INTENSITIES, "intensity")
    _field(path, statement, STATEMENTS, "statement")
    _field(path, repetition, REPETITIONS, "repetition")
    _field(path, actor, ACTORS, "actor")
    if emotion == "01" and intensity != "01":
        raise ValueError(f"{path}: neutral (emotion 01) has normal intensity (01) only in RAVDESS, not {intensity}")
    return Utterance(
        utterance_id=path.stem,
        path=path,
        label=RAVDESS_CODES[emotion],
        speaker=actor,
        gender="male" if int(actor) % 2 else "female",
        text=STATEMENTS[statement],
        group=actor,
        extra={"intensity": INTENSITIES[intensity], "statement": int(statement), "repetition": int(repetition)},
    )


def corpus_root(manual_dir: epath.PathLike) -> epath.Path:
    """The folder holding ``Actor_01`` ... ``Actor_24``: the manual dir or its ``Audio_Speech_Actors_01-24/``.

    Raises:
        FileNotFoundError: neither holds an actor folder.
    """
    root = folder_root(manual_dir, FOLDERS.values(), RELEASE_FOLDER)
    if root is None:
        raise FileNotFoundError(f"RAVDESS not found in {manual_dir}: no Actor_01 ... Actor_24 folder. {LAYOUT}")
    return root


def scan_corpus(manual_dir: epath.PathLike) -> FolderScan:
    """Every speech file of every actor folder, parsed; missing folders and refused files are listed, not raised
    (``.mp4`` files are read too, to refuse video files in an actor folder by name)."""
    return scan_folders(corpus_root(manual_dir), FOLDERS, parse_file_name, suffixes=(".wav", ".mp4"))


class Builder(FeatureCorpusBuilder):
    """RAVDESS speech: 1,440 utterances, 24 actors, 8 emotions; splits ``actor01`` … ``actor24``.

    All data: ``split="+".join(builder.group_splits())``.
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: openSMILE features, one split per actor."}
    BUILDER_CONFIGS = feature_configs()
    MANUAL_DOWNLOAD_INSTRUCTIONS = (
        f"serzoo never downloads RAVDESS (CC BY-NC-SA 4.0). Download {RELEASE_FOLDER}.zip (the audio-only "
        f"speech files) from the official release, Zenodo record 1188976 ({RECORD_URL}), and unzip it so that "
        "<manual_dir>/Actor_01/03-01-01-01-01-01-01.wav exists."
    )
    CLASS_NAMES = RAVDESS_CLASSES
    GROUPS = ACTORS
    SPLIT_PREFIX = "actor"
    HOMEPAGE = RECORD_URL
    CORPUS_DESCRIPTION = (
        "RAVDESS speech: 24 actors (12 female, 12 male) speak two English statements in 8 emotions, at "
        "two intensities (neutral: one), twice each; features are openSMILE descriptors of each utterance."
    )
    LAYOUT = LAYOUT
    RELEASED_DUPLICATES = {KNOWN_DUPLICATE: KNOWN_DUPLICATE_REASON}

    def _extra_features(self) -> dict[str, tfds.features.FeatureConnector]:
        return {
            "intensity": tfds.features.ClassLabel(names=list(INTENSITIES.values())),
            "statement": tfds.features.Scalar(
                dtype=np.int32, doc=f"1 or 2: {STATEMENTS['01']!r} / {STATEMENTS['02']!r}"
            ),
            "repetition": tfds.features.Scalar(dtype=np.int32, doc="1 or 2: first or second take"),
        }

    def _utterances(self, dl_manager) -> list[Utterance]:
        return scan_corpus(self._required_manual_dir(dl_manager)).checked("RAVDESS", LAYOUT)
