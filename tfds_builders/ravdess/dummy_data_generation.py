"""Write ``dummy_data/Actor_01`` ... ``Actor_24``: synthetic stand-ins with RAVDESS file names (never RAVDESS audio).

0.4 s utterances from serzoo's source-filter synthesiser, 48 kHz 16-bit PCM as the release: one per actor, a
second for actors 01 and 24, and in Actor_07 the release's byte-identical pair (repetitions 01 and 02 of happy,
normal intensity, statement 02) as two identical files. Three files are stereo with two identical channels, as
RAVDESS's five stereo files are. Calm and surprise, which the synthesiser lacks, are voiced as boredom and
happiness. Run: ``python tfds_builders/ravdess/dummy_data_generation.py``.
"""

import pathlib
import shutil

import numpy as np
import soundfile

from serzoo import synth_corpus
from serzoo.tfds_builders.ravdess.ravdess_dataset_builder import ACTORS, FOLDERS, KNOWN_DUPLICATE

RATE = 48000
SAMPLES = int(0.4 * RATE)
VOICE = {"calm": "boredom", "surprise": "happiness"}  # classes the synthesiser lacks
#: (actor, emotion, intensity, statement, repetition) beyond one file per actor
EXTRA = [("01", "08", "02", "02", "02"), ("24", "01", "01", "01", "02")]
STEREO = {"01", "05", "20"}  # actors whose first file is stereo


def files():
    """(actor, emotion, intensity, statement, repetition) of every dummy file but the duplicate's copy."""
    rows = []
    for index, actor in enumerate(ACTORS):
        emotion = f"{index % 8 + 1:02d}"
        intensity = "01" if emotion == "01" else f"{index % 2 + 1:02d}"
        rows.append((actor, emotion, intensity, f"{(index // 2) % 2 + 1:02d}", f"{(index // 4) % 2 + 1:02d}"))
    first_of_pair = sorted(KNOWN_DUPLICATE)[0].split("-")  # 03-01-03-01-02-01-07
    rows[ACTORS.index("07")] = ("07", *first_of_pair[2:6])
    return rows + EXTRA


def main(out_dir: pathlib.Path = pathlib.Path(__file__).parent / "dummy_data") -> None:
    from serzoo.emotions import RAVDESS_CODES

    shutil.rmtree(out_dir, ignore_errors=True)
    seen_stereo = set()
    for n, (actor, emotion, intensity, statement, repetition) in enumerate(files()):
        gender = "male" if int(actor) % 2 else "female"
        speaker = synth_corpus.Speaker(
            actor, gender, 110.0 if gender == "male" else 200.0, 1.0 if gender == "male" else 1.16
        )
        name = RAVDESS_CODES[emotion]
        audio = synth_corpus.synthesize_utterance(speaker, VOICE.get(name, name), n, np.random.default_rng(n), RATE)
        audio = audio[:SAMPLES]
        if actor in STEREO and actor not in seen_stereo:
            seen_stereo.add(actor)
            audio = np.stack([audio, audio], axis=1)
        path = out_dir / FOLDERS[actor] / f"03-01-{emotion}-{intensity}-{statement}-{repetition}-{actor}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        soundfile.write(path, audio, RATE, subtype="PCM_16")
    first, second = sorted(KNOWN_DUPLICATE)
    shutil.copyfile(out_dir / FOLDERS["07"] / f"{first}.wav", out_dir / FOLDERS["07"] / f"{second}.wav")


if __name__ == "__main__":
    main()
