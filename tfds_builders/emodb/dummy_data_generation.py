"""Write ``dummy_data/wav/``: synthetic stand-ins with EmoDB file names (never real EmoDB audio).

Two 0.5 s utterances per speaker, from serzoo's source-filter synthesiser.
Run: ``python tfds_builders/emodb/dummy_data_generation.py``.
"""

import pathlib

import numpy as np
import soundfile

from serzoo import synth_corpus
from serzoo.tfds_builders.emodb.emodb_dataset_builder import MALE_SPEAKERS, SPEAKERS

# (text, emotion letter, version) per speaker index, cycling through all seven emotions.
FILES = [
    ("a01", "W", "a"),
    ("b02", "T", "b"),
    ("a04", "F", "a"),
    ("b10", "N", "c"),
    ("a05", "L", "a"),
    ("b03", "A", "b"),
    ("a07", "E", "a"),
]


def main(out_dir: pathlib.Path = pathlib.Path(__file__).parent / "dummy_data" / "wav") -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    emotion_of = {letter: emotion for emotion, letter in synth_corpus.LETTERS.items()}
    for index, speaker_id in enumerate(SPEAKERS):
        gender = "male" if speaker_id in MALE_SPEAKERS else "female"
        speaker = synth_corpus.Speaker(
            id=speaker_id,
            gender=gender,
            f0_hz=110.0 if gender == "male" else 200.0,
            formant_scale=1.0 if gender == "male" else 1.16,
        )
        for k in range(2):
            text, letter, version = FILES[(2 * index + k) % len(FILES)]
            rng = np.random.default_rng([index, k])
            audio = synth_corpus.synthesize_utterance(speaker, emotion_of[letter], k, rng)[:8000]
            soundfile.write(out_dir / f"{speaker_id}{text}{letter}{version}.wav", audio, 16000, subtype="PCM_16")


if __name__ == "__main__":
    main()
