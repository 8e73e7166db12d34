"""Emotion class inventories shared by corpora (label order = ``ClassLabel`` order)."""

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

#: Binary arousal and valence groupings of the seven EmoDB categories (group order = new label order), after the
#: clustering of each corpus's emotions into binary arousal/valence tasks of Schuller, Vlasenko, Eyben, Rigoll,
#: Wendemuth, "Acoustic emotion recognition: a benchmark comparison of performances", IEEE ASRU 2009, Table 1
#: (also used in Schuller et al., "Cross-corpus acoustic emotion recognition: variances and strategies", IEEE TAC 2010).
EMODB_GROUPINGS = {
    "arousal": {"low": ("boredom", "disgust", "neutral", "sadness"), "high": ("anger", "fear", "happiness")},
    "valence": {"negative": ("anger", "boredom", "disgust", "fear", "sadness"), "positive": ("happiness", "neutral")},
}


def grouping_map(class_names, grouping: str) -> tuple[list[str], list[int]]:
    """``(group names, new label of each old label)`` for an :data:`EMODB_GROUPINGS` entry; every class must
    belong to a group (a corpus with another inventory is refused)."""
    if grouping not in EMODB_GROUPINGS:
        raise ValueError(f"unknown label grouping {grouping!r}; choose one of: {', '.join(EMODB_GROUPINGS)}")
    groups = EMODB_GROUPINGS[grouping]
    owner = {name: i for i, members in enumerate(groups.values()) for name in members}
    unknown = [name for name in class_names if name not in owner]
    if unknown:
        raise ValueError(
            f"the {grouping} grouping covers the EmoDB classes {sorted(owner)}; these classes have no "
            f"group: {unknown}. Use it with EmoDB-style labels only"
        )
    return list(groups), [owner[name] for name in class_names]
