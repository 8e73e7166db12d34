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
