"""MSP-IMPROV TFDS builder: openSMILE features, one split per session (leave-one-session-out).

The parsing functions are module-level and pure (no TFDS state), so that
:mod:`serzoo.verify_corpus` checks a corpus copy with exactly the code that builds it.

Reference: Busso, Parthasarathy, Burmania, AbdelWahab, Sadoughi, Mower Provost: "MSP-IMPROV: an
acted corpus of dyadic interactions to study emotion perception", IEEE Transactions on Affective
Computing 8(1), 2017.
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

ROOT_NAME = "MSP-IMPROV"
AUDIO_FOLDER = "Audio"
#: The label file; some copies spell it ``Evalution.txt``, which is accepted too.
LABEL_FILES = ("Evaluation.txt", "Evalution.txt")
SESSIONS = ("1", "2", "3", "4", "5", "6")
#: Speaker ids: gender + session, one female and one male actor per session.
SPEAKERS = tuple(f"{g}{int(s):02d}" for s in SESSIONS for g in "FM")
#: Consensus codes → class names of the ``all`` scheme (ClassLabel order, four classes first).
CODES = {"A": "anger", "H": "happiness", "S": "sadness", "N": "neutral", "O": "other", "X": "no_agreement"}
FOUR_CLASSES = ("anger", "happiness", "sadness", "neutral")
#: Scenario target emotion of the file name (the acted target, not the perceived label).
TARGETS = {"A": "anger", "H": "happiness", "S": "sadness", "N": "neutral"}
#: Recording type letter of the file name → ClassLabel name (this order).
RECORDING_TYPES = {"P": "improvised", "S": "target_sentence", "R": "read", "T": "natural_interaction"}
LABEL_SCHEMES = {
    "four_class": "consensus A/H/S/N only (7798 utterances of the real corpus)",
    "all": "every clip with a consensus line: A/H/S/N/O/X (O = other, X = no agreement)",
}
SCHEME_CLASSES = {"four_class": FOUR_CLASSES, "all": tuple(CODES.values())}
#: Published four-class counts (Sahu et al.), for serzoo.verify_corpus.
PUBLISHED = {
    "four_class": 7798,
    "classes": {"happiness": 2644, "neutral": 3477, "anger": 792, "sadness": 885},
}

LAYOUT = (
    "Expected layout: <manual_dir>/Evaluation.txt (or Evalution.txt) and the audio tree "
    "<manual_dir>/[Audio/]session<N>/<SxxE>/<T>/MSP-IMPROV-<SxxE>-<speaker>-<T>-<clip>.wav for "
    "N = 1..6, e.g. Audio/session1/S01A/P/MSP-IMPROV-S01A-F01-P-FM01.wav (the manual dir may also "
    "hold a single MSP-IMPROV/ folder with these). Request the corpus from the MSP lab "
    "(https://ecs.utdallas.edu/research/researchlabs/msp-lab/MSP-Improv.html)."
)
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)|NaN|nan"
_CONSENSUS_LINE = re.compile(
    r"^(?P<clip>(?:UTD|MSP)-IMPROV-[A-Za-z0-9-]+)\.avi\s*;\s*(?P<code>[A-Za-z]+)\s*;"
    rf"\s*A:\s*(?P<A>{_NUMBER})\s*;\s*V:\s*(?P<V>{_NUMBER})\s*;\s*D:\s*(?P<D>{_NUMBER})\s*;"
    rf"(?:\s*N:\s*(?P<N>{_NUMBER})\s*;)?\s*$"
)
_CONSENSUS_FORMAT = "UTD-IMPROV-<clip>.avi; <A|H|S|N|O|X>; A:<x>; V:<x>; D:<x> ; N:<x>;"
_NAME = re.compile(
    r"^MSP-IMPROV-S(?P<sentence>\d\d)(?P<target>[AHSN])-(?P<speaker>(?P<gender>[FM])(?P<session>\d\d))"
    r"-(?P<type>[PSRT])-(?P<clip>[A-Z]+\d+)$"
)


@dataclasses.dataclass(frozen=True)
class ClipName:
    """Fields of a file name such as ``MSP-IMPROV-S01A-F01-P-FM01``."""

    clip_id: str
    sentence: int  # 1..20
    target: str  # scenario target emotion: anger / happiness / sadness / neutral
    speaker: str  # F01
    gender: str  # female / male
    session: int
    recording_type: str  # improvised / target_sentence / read / natural_interaction


def parse_clip_name(stem: str) -> ClipName:
    """Fields of an MSP-IMPROV clip id (file stem, ``MSP-IMPROV-`` prefix).

    Raises:
        ValueError: the name does not follow ``MSP-IMPROV-S<nn><A|H|S|N>-<F|M><nn>-<P|S|R|T>-<clip>``.
    """
    match = _NAME.match(stem)
    if match is None:
        raise ValueError(
            f"{stem!r} is not an MSP-IMPROV clip name: expected MSP-IMPROV-S<sentence nn><target "
            f"A|H|S|N>-<F|M><session nn>-<type P|S|R|T>-<clip>, e.g. MSP-IMPROV-S01A-F01-P-FM01"
        )
    return ClipName(
        clip_id=stem,
        sentence=int(match["sentence"]),
        target=TARGETS[match["target"]],
        speaker=match["speaker"],
        gender="female" if match["gender"] == "F" else "male",
        session=int(match["session"]),
        recording_type=RECORDING_TYPES[match["type"]],
    )


def clip_id_of_label(label_id: str) -> str:
    """``UTD-IMPROV-S02H-M03-P-MF03.avi`` (Evaluation.txt) → ``MSP-IMPROV-S02H-M03-P-MF03`` (WAV stem)."""
    stem = label_id.strip()
    stem = stem[: -len(".avi")] if stem.endswith(".avi") else stem
    for prefix in ("UTD-IMPROV-", "MSP-IMPROV-"):
        if stem.startswith(prefix):
            return "MSP-IMPROV-" + stem[len(prefix) :]
    raise ValueError(f"{label_id!r} is not an MSP-IMPROV clip id (expected UTD-IMPROV-...avi)")


@dataclasses.dataclass(frozen=True)
class ConsensusRecord:
    """One clip's consensus line of Evaluation.txt, with its raters."""

    clip_id: str  # MSP-IMPROV-... (the WAV stem)
    code: str  # A H S N O X
    activation: float  # A: (arousal), NaN if not rated
    valence: float
    dominance: float
    naturalness: float
    source: str  # "<file>:<line>"
    raters: tuple[str, ...] = ()  # unique rater ids, first occurrence order
    duplicate_rater_lines: int = 0  # (clip, rater) lines seen again; the first one is kept

    @property
    def utterance_id(self) -> str:
        """The clip id: the builder's ``utterance_id``."""
        return self.clip_id


def _float(text: str | None) -> float:
    return math.nan if text is None or text.lower() == "nan" else float(text)


def parse_evaluation_file(path: epath.Path) -> list[ConsensusRecord]:
    """Parse ``Evaluation.txt``: consensus lines ``UTD-IMPROV-<clip>.avi; <code>; A:; V:; D: ; N:;``.

    Values are in the order A (activation/arousal), V, D, N (naturalness) and may be ``NaN``;
    spaces around ``;`` are free (the release has one before ``; N:``). Every other non-blank
    line is a rater line ``<rater>; <Category>; ...`` of the preceding clip; repeated
    (clip, rater) lines are counted, not duplicated. A clip with two identical consensus lines
    is kept once.

    Raises:
        ValueError: a malformed consensus line, an unknown code, a rater line before any clip,
            a line without ``;``, or contradicting consensus lines of one clip; the message names
            ``file:line`` and the fix.
    """
    path = epath.Path(path)
    records: dict[str, dict] = {}
    current: dict | None = None
    for number, raw in enumerate(path.read_bytes().decode("utf-8", errors="replace").splitlines(), 1):
        line = raw.strip()
        where = f"{path}:{number}"
        if not line:
            continue
        if line.startswith(("UTD-IMPROV-", "MSP-IMPROV-")):
            match = _CONSENSUS_LINE.match(line)
            if match is None:
                raise ValueError(
                    f"{where}: malformed consensus line {line!r}; expected {_CONSENSUS_FORMAT} (values "
                    "may be NaN). Fix the line or restore Evaluation.txt from the MSP-IMPROV release."
                )
            if match["code"] not in CODES:
                raise ValueError(
                    f"{where}: unknown consensus code {match['code']!r}; MSP-IMPROV codes are "
                    f"{', '.join(CODES)}. Fix the line or restore Evaluation.txt."
                )
            clip_id = clip_id_of_label(match["clip"])
            values = dict(
                code=match["code"],
                activation=_float(match["A"]),
                valence=_float(match["V"]),
                dominance=_float(match["D"]),
                naturalness=_float(match["N"]),
            )
            if clip_id in records:
                previous = records[clip_id]
                if any(not _same(previous[k], v) for k, v in values.items()):
                    raise ValueError(
                        f"{where}: second consensus line of {clip_id} contradicts the one at "
                        f"{previous['source']}; keep the correct one."
                    )
                current = previous
                continue
            current = records[clip_id] = dict(clip_id=clip_id, source=where, raters=[], duplicates=0, **values)
            continue
        rater, sep, _ = line.partition(";")
        if not sep or not rater.strip():
            raise ValueError(
                f"{where}: unexpected line {line!r}; Evaluation.txt holds consensus lines "
                f"({_CONSENSUS_FORMAT}) and rater lines '<rater>; <Category>; ...'. Fix or remove it."
            )
        if current is None:
            raise ValueError(f"{where}: rater line {line!r} before the first consensus line; restore the file.")
        if rater.strip() in current["raters"]:
            current["duplicates"] += 1
        else:
            current["raters"].append(rater.strip())
    return [
        ConsensusRecord(
            clip_id=r["clip_id"],
            code=r["code"],
            activation=r["activation"],
            valence=r["valence"],
            dominance=r["dominance"],
            naturalness=r["naturalness"],
            source=r["source"],
            raters=tuple(r["raters"]),
            duplicate_rater_lines=r["duplicates"],
        )
        for r in records.values()
    ]


def _same(a, b) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


def corpus_root(manual_dir: epath.PathLike) -> epath.Path:
    """The folder holding the label file: the manual dir or its ``MSP-IMPROV/`` subfolder.

    Raises:
        FileNotFoundError: neither holds ``Evaluation.txt`` (or ``Evalution.txt``).
    """
    manual_dir = epath.Path(manual_dir)
    for candidate in (manual_dir, manual_dir / ROOT_NAME):
        if any((candidate / name).is_file() for name in LABEL_FILES):
            return candidate
    raise FileNotFoundError(f"MSP-IMPROV not found in {manual_dir}: no Evaluation.txt there. {LAYOUT}")


def label_file(root: epath.Path) -> epath.Path:
    """``Evaluation.txt`` of the corpus root (or its ``Evalution.txt`` spelling)."""
    for name in LABEL_FILES:
        if (epath.Path(root) / name).is_file():
            return epath.Path(root) / name
    raise FileNotFoundError(f"{root}: no Evaluation.txt. {LAYOUT}")


def audio_root(root: epath.Path) -> epath.Path:
    """``<root>/Audio`` if present, else ``<root>``."""
    root = epath.Path(root)
    return root / AUDIO_FOLDER if (root / AUDIO_FOLDER).is_dir() else root


def session_wavs(root: epath.Path, session: str) -> dict[str, epath.Path]:
    """``{clip id: WAV}`` under ``[Audio/]session<session>/`` (any depth, by file stem).

    Raises:
        FileNotFoundError: the session folder is missing.
        ValueError: a clip id occurs twice.
    """
    folder = audio_root(root) / f"session{session}"
    if not folder.is_dir():
        raise FileNotFoundError(
            f"MSP-IMPROV session {session}: folder {folder} is missing; copy session{session} of the "
            f"release completely. {LAYOUT}"
        )
    wavs: dict[str, epath.Path] = {}
    for path in sorted(_wav_files(folder)):
        if path.stem in wavs:
            raise ValueError(f"{path}: the clip {path.stem} also exists as {wavs[path.stem]}; remove one")
        wavs[path.stem] = path
    return wavs


def _wav_files(folder: epath.Path) -> list[epath.Path]:
    """``*.wav`` files at any depth below ``folder`` (epath has no recursive glob)."""
    found = []
    for path in folder.iterdir():
        if path.is_dir():
            found += _wav_files(path)
        elif path.suffix.lower() == ".wav":
            found.append(path)
    return found


@dataclasses.dataclass
class CorpusScan:
    """Consensus labels joined to the audio files on clip ids."""

    root: epath.Path
    labels: list[ConsensusRecord]  # every consensus line, in file order
    wavs: dict[str, epath.Path]
    unlabelled_wavs: list[epath.Path]  # WAVs without a consensus line
    missing_wavs: list[ConsensusRecord]  # consensus lines without a WAV


def join(root: epath.Path, labels: list[ConsensusRecord], wavs: dict[str, epath.Path]) -> CorpusScan:
    """Join labels and WAVs by clip id; check that a labelled WAV's name and folder agree.

    Raises:
        ValueError: a labelled WAV whose name does not parse, or that lies in another session's folder.
    """
    by_id = {record.clip_id: record for record in labels}
    for clip_id, path in wavs.items():
        if clip_id in by_id:
            try:
                name = parse_clip_name(clip_id)
            except ValueError as err:
                raise ValueError(f"{path}: {err}; rename the file as in the release.") from None
            folder = next((p.name for p in path.parents if p.name.startswith("session")), "")
            if folder != f"session{name.session}":
                raise ValueError(
                    f"{path}: speaker {name.speaker} is of session {name.session} but the file is in "
                    f"{folder or 'no session folder'}; move it to session{name.session}/."
                )
    return CorpusScan(
        root=root,
        labels=labels,
        wavs=wavs,
        unlabelled_wavs=[path for clip_id, path in wavs.items() if clip_id not in by_id],
        missing_wavs=[record for record in labels if record.clip_id not in wavs],
    )


def scan_corpus(manual_dir: epath.PathLike, sessions=SESSIONS) -> CorpusScan:
    """Find, parse and join the whole corpus (no audio is read)."""
    root = corpus_root(manual_dir)
    labels = parse_evaluation_file(label_file(root))
    wavs: dict[str, epath.Path] = {}
    for session in sessions:
        wavs.update(session_wavs(root, session))
    return join(root, labels, wavs)


def scheme_label(code: str, scheme: str) -> str | None:
    """Class name of a consensus code under a label scheme, None if the scheme leaves it out."""
    check_scheme("MSP-IMPROV", scheme, SCHEME_CLASSES)
    name = CODES[code]
    return name if name in SCHEME_CLASSES[scheme] else None


def scheme_counts(labels: list[ConsensusRecord], scheme: str) -> dict[str, int]:
    """Clips per class (in ClassLabel order) that ``scheme`` keeps."""
    names = [scheme_label(record.code, scheme) for record in labels]
    return class_counts(names, SCHEME_CLASSES[scheme])


def make_utterance(record: ConsensusRecord, wav: epath.Path, config: SchemeConfig) -> Utterance:
    """The builder's :class:`Utterance` of a labelled clip (label per ``config.label_scheme``)."""
    name = parse_clip_name(record.clip_id)
    return rated_utterance(
        record,
        name=name,
        path=wav,
        label=scheme_label(record.code, config.label_scheme),
        text="",
        config=config,
        extra={
            "sentence": name.sentence,
            "target_emotion": name.target,
            "recording_type": name.recording_type,
            "naturalness": record.naturalness,
            "num_raters": len(record.raters),
        },
    )


class Builder(RatedSessionBuilder):
    """MSP-IMPROV: 12 actors in 6 dyadic sessions; splits ``session1`` … ``session6``.

    Configs are ``<feature set>_<label scheme>`` (:data:`LABEL_SCHEMES`), default
    ``is10_four_class``. Audio at any sample rate is resampled to 16 kHz before openSMILE.
    Leave-one-speaker-out: filter a session split by ``speaker`` (``F01`` … ``M06``).
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: openSMILE features, one split per session."}
    BUILDER_CONFIGS = scheme_configs(LABEL_SCHEMES, default=("is10", "four_class"))
    MANUAL_DOWNLOAD_INSTRUCTIONS = (
        "MSP-IMPROV is licensed per user: request it from the MSP lab at UT Dallas and place it so "
        "that <manual_dir>/Evaluation.txt and <manual_dir>/Audio/session1/ (or session1/) exist."
    )
    GROUPS = SESSIONS
    HOMEPAGE = "https://ecs.utdallas.edu/research/researchlabs/msp-lab/MSP-Improv.html"
    CORPUS_DESCRIPTION = (
        "MSP-IMPROV: 12 actors in 6 dyadic sessions; target sentences in angry/happy/sad/neutral "
        "scenarios, improvisations and natural interactions, with consensus labels."
    )
    LAYOUT = LAYOUT
    CORPUS = "MSP-IMPROV"
    SCHEME_CLASSES = SCHEME_CLASSES
    ITEM = "clip"
    WAV_FOLDER = "[Audio/]session<N>/"

    def _extra_features(self) -> dict[str, tfds.features.FeatureConnector]:
        attributes = attribute_features(
            (
                ("valence", "consensus valence (V:), 1-5, NaN if not rated"),
                ("activation", "consensus activation/arousal (A:), 1-5, NaN if not rated"),
                ("dominance", "consensus dominance (D:), 1-5, NaN if not rated"),
                ("naturalness", "consensus naturalness (N:), 1-5, NaN if not rated"),
            )
        )
        return {
            "session": tfds.features.Scalar(dtype=np.int32, doc="session 1-6"),
            "sentence": tfds.features.Scalar(dtype=np.int32, doc="target sentence 1-20 of the file name"),
            "target_emotion": tfds.features.ClassLabel(names=list(TARGETS.values())),
            "recording_type": tfds.features.ClassLabel(names=list(RECORDING_TYPES.values())),
            "emotion_code": tfds.features.Text(doc="consensus code: A H S N O X"),
            **attributes,
            "num_raters": tfds.features.Scalar(dtype=np.int32, doc="distinct raters of the clip"),
        }

    def _scan(self, manual_dir) -> CorpusScan:
        return scan_corpus(manual_dir)

    def _unlabelled_reason(self, scan: CorpusScan) -> str:
        return f"a consensus line in {label_file(scan.root).name}"

    def _make_utterance(self, record: ConsensusRecord, scan: CorpusScan) -> Utterance:
        return make_utterance(record, scan.wavs[record.clip_id], self.builder_config)
