"""Emotion class inventories of the corpora (label order = ``ClassLabel`` order) and the named class sets that map
them onto one another (:data:`CLASS_SETS`: ``shared6``, ``shared4``, the ``arousal`` / ``valence`` groupings)."""

import dataclasses

#: The seven EmoDB classes in serzoo's label order; the embedded demo corpus uses the same.
EMODB_CLASSES = ("anger", "boredom", "disgust", "fear", "happiness", "sadness", "neutral")

#: EmoDB file-name letters (German initials) to class names.
EMODB_LETTERS = {
    "W": "anger",  # Wut
    "L": "boredom",  # Langeweile
    "E": "disgust",  # Ekel
    "A": "fear",  # Angst
    "F": "happiness",  # Freude
    "T": "sadness",  # Trauer
    "N": "neutral",
}

#: RAVDESS speech (Livingstone & Russo, PLoS ONE 2018): the emotion code of a file name (third field,
#: ``03-01-05-01-02-01-12.wav``) to its class; class order = code order (label = code - 1). RAVDESS's "happy" is
#: serzoo's "happiness", "sad" "sadness", "angry" "anger", "fearful" "fear", "surprised" "surprise".
RAVDESS_CODES = {
    "01": "neutral",
    "02": "calm",
    "03": "happiness",
    "04": "sadness",
    "05": "anger",
    "06": "fear",
    "07": "disgust",
    "08": "surprise",
}
RAVDESS_CLASSES = tuple(RAVDESS_CODES.values())

#: EMOVO (Costantini et al., LREC 2014): the Italian emotion prefix of a file name (``dis-f1-b1.wav``) to its class;
#: class order = the corpus's alphabetical prefix order. "gio" (gioia, joy) is serzoo's "happiness", "pau" (paura)
#: "fear", "rab" (rabbia) "anger", "sor" (sorpresa) "surprise", "tri" (tristezza) "sadness".
EMOVO_CODES = {
    "dis": "disgust",
    "gio": "happiness",
    "neu": "neutral",
    "pau": "fear",
    "rab": "anger",
    "sor": "surprise",
    "tri": "sadness",
}
EMOVO_CLASSES = tuple(EMOVO_CODES.values())


@dataclasses.dataclass(frozen=True)
class ClassSet:
    """A named mapping of a corpus's own classes onto a common inventory (``load_corpus(..., classes=NAME)``).

    Attributes:
        name: the set's name (``shared6``), also the suffix of the dataset spec (``ravdess/is11+shared6``).
        groups: each class of the set, in label order, with the corpus classes it takes.
        complete: True for a regrouping in which every class of the corpus must belong to a group (a corpus class
            outside the groups is an error); False for a shared inventory, which leaves a corpus's other classes out
            (their speech still counts for normalisation statistics, see :class:`serzoo.data.Corpus`).
        source: where the set comes from.
    """

    name: str
    groups: dict[str, tuple[str, ...]]
    complete: bool
    source: str

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(self.groups)


def _shared(*classes: str) -> dict[str, tuple[str, ...]]:
    return {name: (name,) for name in classes}


#: The class sets serzoo knows, by name. Corpus class names are serzoo's (``happiness`` for EMOVO's gioia and
#: RAVDESS's happy...), so a shared inventory maps each class onto itself.
CLASS_SETS = {
    s.name: s
    for s in (
        ClassSet(
            "shared6",
            _shared("anger", "disgust", "fear", "happiness", "neutral", "sadness"),
            complete=False,
            source="the six classes EmoDB, RAVDESS and EMOVO share (EmoDB adds boredom, RAVDESS calm and surprise, "
            "EMOVO surprise); the basic emotions of most acted corpora",
        ),
        ClassSet(
            "shared4",
            _shared("anger", "happiness", "neutral", "sadness"),
            complete=False,
            source="the four classes of the IEMOCAP / MSP-IMPROV four-class task, present in every corpus serzoo "
            "builds",
        ),
        # Binary arousal and valence groupings of the seven EmoDB categories, after the clustering of each corpus's
        # emotions into binary arousal/valence tasks of Schuller, Vlasenko, Eyben, Rigoll, Wendemuth, "Acoustic
        # emotion recognition: a benchmark comparison of performances", IEEE ASRU 2009, Table 1 (also used in
        # Schuller et al., "Cross-corpus acoustic emotion recognition: variances and strategies", IEEE TAC 2010).
        ClassSet(
            "arousal",
            {"low": ("boredom", "disgust", "neutral", "sadness"), "high": ("anger", "fear", "happiness")},
            complete=True,
            source="Schuller et al., IEEE ASRU 2009, Table 1 (EmoDB)",
        ),
        ClassSet(
            "valence",
            {"negative": ("anger", "boredom", "disgust", "fear", "sadness"), "positive": ("happiness", "neutral")},
            complete=True,
            source="Schuller et al., IEEE ASRU 2009, Table 1 (EmoDB)",
        ),
    )
}


def get_class_set(name: str) -> ClassSet:
    """The :data:`CLASS_SETS` entry ``name``; a ``ValueError`` lists the known ones."""
    if name not in CLASS_SETS:
        raise ValueError(f"unknown class set {name!r}; choose one of: {', '.join(CLASS_SETS)}")
    return CLASS_SETS[name]


def class_map(class_names, class_set: str, corpus: str = "the corpus") -> tuple[list[str], list[int]]:
    """``(the set's class names, new label of each old label)``; -1 marks a class the set leaves out.

    Raises:
        ValueError: the set is ``complete`` and a class has no group, or a class of the set takes none of the
            corpus's classes (it would have no example); the message names the classes.
    """
    chosen = get_class_set(class_set)
    owner = {member: i for i, members in enumerate(chosen.groups.values()) for member in members}
    if chosen.complete:
        unknown = [name for name in class_names if name not in owner]
        if unknown:
            raise ValueError(
                f"the {chosen.name} grouping covers the classes {sorted(owner)} ({chosen.source}); {corpus}'s "
                f"classes {unknown} have no group. Use it with EmoDB-style labels only"
            )
    mapping = [owner.get(name, -1) for name in class_names]
    empty = [name for i, name in enumerate(chosen.classes) if i not in mapping]
    if empty:
        raise ValueError(
            f"{corpus} has no class that maps to {empty} of the class set {chosen.name} ({', '.join(chosen.classes)}); "
            f"its classes are {list(class_names)}. Choose a set whose classes it has: "
            + ", ".join(s.name for s in CLASS_SETS.values() if _covers(s, class_names))
        )
    return list(chosen.classes), mapping


def _covers(class_set: ClassSet, class_names) -> bool:
    members = [set(m) for m in class_set.groups.values()]
    complete = not class_set.complete or all(any(n in m for m in members) for n in class_names)
    return complete and all(m & set(class_names) for m in members)
