"""Small synthetic audio files for tests (generated, never corpus audio)."""

import pathlib

import numpy as np
import soundfile

from serzoo import synth_corpus


def write_wav(
    path: pathlib.Path,
    seconds: float = 0.6,
    sample_rate: int = 16000,
    channels: int = 1,
    emotion: str = "anger",
    seed: int = 0,
) -> pathlib.Path:
    """A short synthetic utterance written as 16-bit PCM (resampled/duplicated as asked)."""
    speaker = synth_corpus.make_speakers(1, seed)[0]
    audio = synth_corpus.synthesize_utterance(
        speaker, emotion, 0, np.random.default_rng(seed), sample_rate=sample_rate
    )[: int(seconds * sample_rate)]
    if channels > 1:
        audio = np.stack([audio] * channels, axis=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, audio, sample_rate, subtype="PCM_16")
    return path
