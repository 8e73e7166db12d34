"""Folds of a corpus and the one fold loop: which groups train, which test, and their normalised data.

Every corpus builder has one split per group (speaker or session), and a multi-corpus dataset
(:func:`serzoo.data.load_corpus` with ``"emodb+ravdess+emovo/is11+shared6"``) has one per (corpus, group), so a
fold is split arithmetic. :data:`FOLD_SCHEMES`: leave one group out (speaker-independent, within one corpus or over
the pooled corpora), leave one corpus out (train on the others, test on it), and every ordered corpus pair (train on
A, test on B). Normalisation is fitted as :mod:`serzoo.normalisation` says, on the training groups' speech only
(``global``) or on each speaker's / corpus's own speech (``speaker`` / ``corpus``; unlabelled, so test groups count).

Example:
    >>> for fold in iter_folds(corpus, fold_scheme="corpus-pairs", normalisation="corpus"):   # doctest: +SKIP
    ...     clf.fit(fold.x_train, fold.y_train)
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from serzoo.normalisation import Normalizer

if TYPE_CHECKING:
    from serzoo.data import Corpus, SplitData

#: How folds are formed (the ``fold_scheme`` of :func:`make_folds`).
FOLD_SCHEMES = {
    "leave-one-group-out": "each group (speaker or session; with several corpora, each corpus's) held out in turn",
    "leave-one-corpus-out": "each corpus of a multi-corpus dataset held out in turn, trained on the others",
    "corpus-pairs": "trained on one corpus, tested on another: every ordered pair of a multi-corpus dataset",
    "within-corpus": "each group held out in turn, trained on the other groups of its own corpus only",
}

#: Documented development / evaluation halves of a corpus's groups. EmoDB: the ten speakers in id order, split in
#: the middle: 03 08 09 10 11 (male 03 10 11, female 08 09; 243 utterances) and 12 13 14 15 16 (male 12 15, female
#: 13 14 16; 292 utterances), as gender-balanced as five of ten speakers (five of each gender) can be.
#: RAVDESS: actors 01-12 and 13-24 (six male, odd, and six female, even, actors each). EMOVO: f1 f2 m1 and f3 m2 m3 (two
#: women and a man, then a woman and two men: three of six actors cannot be gender-balanced).
SPEAKER_HALVES = {
    "emodb": (
        ("speaker03", "speaker08", "speaker09", "speaker10", "speaker11"),
        ("speaker12", "speaker13", "speaker14", "speaker15", "speaker16"),
    ),
    "ravdess": (tuple(f"actor{i:02d}" for i in range(1, 13)), tuple(f"actor{i:02d}" for i in range(13, 25))),
    "emovo": (("actorf1", "actorf2", "actorm1"), ("actorf3", "actorm2", "actorm3")),
}


@dataclasses.dataclass(frozen=True)
class Fold:
    """One fold, as group split names; ``label`` names folds that hold out more than one group (a corpus)."""

    index: int
    test_splits: tuple[str, ...]
    train_splits: tuple[str, ...]
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or "+".join(self.test_splits)


def _select(folds: list[Fold], max_folds: int | None, held_out: Sequence[str] | None) -> list[Fold]:
    """The first ``max_folds`` folds, or only those named in ``held_out`` (e.g. to share a long run between
    processes)."""
    if max_folds is not None and not 1 <= max_folds <= len(folds):
        raise ValueError(f"max_folds must be in 1..{len(folds)}, got {max_folds}")
    names = [fold.name for fold in folds]
    unknown = sorted(set(held_out or ()) - set(names))
    if unknown:
        raise ValueError(f"held_out names unknown folds {unknown}; the folds are {names}")
    if held_out:
        return [fold for fold in folds if fold.name in held_out]
    return folds[: max_folds or len(folds)]


def leave_one_group_out(
    split_names: Sequence[str],
    max_folds: int | None = None,
    held_out: Sequence[str] | None = None,
) -> list[Fold]:
    """Folds holding out each group split in turn (selected as :func:`_select` says)."""
    if len(split_names) < 2:
        raise ValueError(f"leave-one-group-out needs at least 2 group splits, got {list(split_names)}")
    folds = [Fold(i, (name,), tuple(s for s in split_names if s != name)) for i, name in enumerate(split_names)]
    return _select(folds, max_folds, held_out)


def make_folds(
    corpus: Corpus,
    fold_scheme: str = "leave-one-group-out",
    max_folds: int | None = None,
    held_out: Sequence[str] | None = None,
) -> list[Fold]:
    """The folds of ``corpus`` under ``fold_scheme`` (:data:`FOLD_SCHEMES`). Corpus folds are named after the held-out
    corpus (``emovo``) or the pair (``emodb->ravdess``)."""
    if fold_scheme not in FOLD_SCHEMES:
        raise ValueError(f"unknown fold scheme {fold_scheme!r}; choose one of: {', '.join(FOLD_SCHEMES)}")
    if fold_scheme == "leave-one-group-out":
        return leave_one_group_out(list(corpus.splits), max_folds, held_out)
    by_corpus = corpus.corpus_splits()
    if fold_scheme == "within-corpus":
        within = [fold for splits in by_corpus.values() for fold in leave_one_group_out(splits)]
        return _select([dataclasses.replace(fold, index=i) for i, fold in enumerate(within)], max_folds, held_out)
    if len(by_corpus) < 2:
        raise ValueError(
            f"{fold_scheme} needs a dataset of several corpora (e.g. 'emodb+ravdess+emovo/is11+shared6'); "
            f"{corpus.name} is one corpus"
        )
    if fold_scheme == "leave-one-corpus-out":
        pairs = [([c for c in by_corpus if c != held], held, held) for held in by_corpus]
    else:
        pairs = [([a], b, f"{a}->{b}") for a, b in itertools.permutations(by_corpus, 2)]
    folds = [
        Fold(i, tuple(by_corpus[test]), tuple(s for c in train for s in by_corpus[c]), label)
        for i, (train, test, label) in enumerate(pairs)
    ]
    return _select(folds, max_folds, held_out)


def speaker_halves(corpus: Corpus, development: Sequence[str] | None = None) -> tuple[list[str], list[str]]:
    """(development groups, evaluation groups): ``development`` if given, else the corpus's documented halves
    (:data:`SPEAKER_HALVES`; a multi-corpus dataset joins its corpora's halves), else the first half of its groups in
    sorted order."""
    groups = sorted(corpus.splits)
    if development:
        dev = list(dict.fromkeys(development))
        unknown = sorted(set(dev) - set(groups))
        if unknown:
            raise ValueError(f"--dev-groups names unknown groups {unknown}; {corpus.name}'s groups are {groups}")
    else:
        dev = [split for name, splits in corpus.corpus_splits().items() for split in _first_half(name, splits)]
    evaluation = [g for g in groups if g not in dev]
    if len(dev) < 2 or not evaluation:
        raise ValueError(
            f"the development groups {dev} need at least 2 groups (inner leave-one-out) and must leave "
            f"at least one of {groups} for evaluation"
        )
    return dev, evaluation


def _first_half(corpus_name: str, splits: list[str]) -> list[str]:
    """The development half of one corpus's group splits (possibly ``corpus:``-prefixed in a multi-corpus dataset)."""
    prefix = splits[0][: splits[0].find(":") + 1]
    if corpus_name in SPEAKER_HALVES:
        return [prefix + split for split in SPEAKER_HALVES[corpus_name][0]]
    ordered = sorted(splits)
    return ordered[: len(ordered) // 2]


@dataclasses.dataclass
class FoldData:
    """A fold's normalised training and test data."""

    fold: Fold
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    train: SplitData
    test: SplitData
    normalizer: Normalizer

    def normalise(self, data: SplitData) -> np.ndarray:
        """Other rows of the fold's groups (e.g. their ``Corpus.left_out`` speech) normalised as the fold's rows."""
        if data.x.dtype == object:
            return _transform_sequences(self.normalizer, data.x)
        return self.normalizer.transform(data.x, _groups(data, self.normalizer.mode))


def _groups(data: SplitData, normalisation: str) -> np.ndarray | None:
    return {"global": None, "speaker": data.speaker, "corpus": data.corpus}[normalisation]


def fold_data(corpus: Corpus, fold: Fold, normalisation: str = "global") -> FoldData:
    """``fold``'s data, normalised with statistics of the training groups' speech (``global``) or of each speaker's
    / corpus's own speech in the fold (``speaker`` / ``corpus``); frame-level corpora (``compare_lld``) give object
    arrays of ``[frames, LLDs]`` sequences normalised per LLD with the training groups' frames."""
    train, test = corpus.select(fold.train_splits), corpus.select(fold.test_splits)
    speech = corpus.speech(fold.train_splits)  # labelled rows and the rows a class set leaves out
    if train.x.dtype == object:
        if normalisation != "global":
            raise ValueError(
                f"{corpus.name}/{corpus.feature_set} is frame-level: only normalisation='global' "
                "(per-LLD statistics of the training frames) is supported"
            )
        normalizer = Normalizer(normalisation).fit(np.concatenate(list(speech.x)))
        x_train, x_test = _transform_sequences(normalizer, train.x), _transform_sequences(normalizer, test.x)
    else:
        normalizer = Normalizer(normalisation).fit(speech.x)
        if normalisation != "global":
            pool = corpus.speech(fold.train_splits + fold.test_splits)
            normalizer.fit_groups(pool.x, _groups(pool, normalisation))
        x_train = normalizer.transform(train.x, _groups(train, normalisation))
        x_test = normalizer.transform(test.x, _groups(test, normalisation))
    return FoldData(fold, x_train, train.y, x_test, test.y, train, test, normalizer)


def iter_folds(
    corpus: Corpus,
    *,
    normalisation: str = "global",
    fold_scheme: str = "leave-one-group-out",
    max_folds: int | None = None,
    held_out: Sequence[str] | None = None,
    progress: bool = True,
    desc: str = "folds",
) -> Iterator[FoldData]:
    """The one fold loop: :func:`make_folds` (``max_folds`` / ``held_out`` select folds), each as :func:`fold_data`."""
    from tqdm.auto import tqdm

    folds = make_folds(corpus, fold_scheme, max_folds, held_out)
    for fold in tqdm(folds, desc=desc, unit="fold", disable=not progress):
        yield fold_data(corpus, fold, normalisation)


def _transform_sequences(normalizer: Normalizer, sequences: np.ndarray) -> np.ndarray:
    """An object array of normalised ``[frames, kept LLDs]`` sequences."""
    out = np.empty(len(sequences), object)
    out[:] = [normalizer.transform(s) for s in sequences]
    return out


class FoldCache:
    """The normalised data of one named fold at a time (the last one asked for), for code that computes units
    fold by fold in any order, e.g. worker processes (:mod:`serzoo.experiments.workers`)."""

    def __init__(self, corpus: Corpus, normalisation: str = "global", fold_scheme: str = "leave-one-group-out"):
        self.corpus, self.normalisation = corpus, normalisation
        self.folds = {fold.name: fold for fold in make_folds(corpus, fold_scheme)}
        self._name, self._data = None, None

    def __call__(self, name: str) -> FoldData:
        if name != self._name:
            if name not in self.folds:
                raise ValueError(f"no fold {name!r} in {self.corpus.name}; the folds are {list(self.folds)}")
            self._data = fold_data(self.corpus, self.folds[name], self.normalisation)
            self._name = name
        return self._data
