"""Write ``dummy_data/f1`` ... ``m3``: synthetic stand-ins with EMOVO file names (never EMOVO audio).

Two 0.4 s utterances per actor from serzoo's source-filter synthesiser, 48 kHz 16-bit PCM as the release,
covering the 7 emotions and 12 of the 14 sentences. Like the release's, the files are stereo from two
"microphones": the second channel is the first delayed by 24 samples (0.5 ms) and 4 dB quieter, so that their
mean is a comb filter and differs from the first channel; ``rab-f1-b1.wav`` is mono, as in the release.
Surprise, which the synthesiser lacks, is voiced as happiness.
Run: ``python tfds_builders/emovo/dummy_data_generation.py``.
"""

import pathlib
import shutil

import numpy as np
import soundfile

from serzoo import synth_corpus
from serzoo.emotions import EMOVO_CODES
from serzoo.tfds_builders.emovo.emovo_dataset_builder import ACTORS, SENTENCES

RATE = 48000
SAMPLES = int(0.4 * RATE)
LAG = 24  # samples between the two microphones
MONO = "rab-f1-b1"
VOICE = {"surprise": "happiness"}  # a class the synthesiser lacks


def main(out_dir: pathlib.Path = pathlib.Path(__file__).parent / "dummy_data") -> None:
    shutil.rmtree(out_dir, ignore_errors=True)
    codes, sentences = list(EMOVO_CODES), list(SENTENCES)
    names = [MONO] + [
        f"{codes[n % 7]}-{actor}-{sentences[(n + 1) % 14]}"
        for n, actor in enumerate(a for a in ACTORS for _ in range(2))
    ][1:]
    for n, name in enumerate(names):
        code, actor, _ = name.split("-")
        gender = "female" if actor.startswith("f") else "male"
        speaker = synth_corpus.Speaker(
            actor, gender, 200.0 if gender == "female" else 110.0, 1.16 if gender == "female" else 1.0
        )
        audio = synth_corpus.synthesize_utterance(
            speaker, VOICE.get(EMOVO_CODES[code], EMOVO_CODES[code]), n, np.random.default_rng(n), RATE
        )
        audio = audio[: SAMPLES + LAG]
        if name == MONO:
            audio = audio[LAG:]
        else:
            audio = np.stack([audio[LAG:], 10 ** (-4 / 20) * audio[:SAMPLES]], axis=1)
        path = out_dir / actor / f"{name}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        soundfile.write(path, audio, RATE, subtype="PCM_16")


if __name__ == "__main__":
    main()
