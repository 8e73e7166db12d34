"""Reading audio for feature extraction, and the checks that keep bad audio out of a dataset.

Every file read for features passes :func:`check_signal` (and, for RIFF WAVs, :func:`wav_data_chunk`'s
length check), so a truncated, silent, non-finite, out-of-range or too short recording stops a build
with an :class:`AudioFileError` naming the file and the fix instead of becoming a "valid" utterance.
``serzoo verify-corpus`` runs the same checks through :func:`check_file`.

Example:
    >>> signal = read_audio("wav/03a01Fa.wav")      # doctest: +SKIP
    >>> check_file("wav/broken.wav").problem        # doctest: +SKIP
    'wav/broken.wav: the WAV header declares 30372 samples (1.898 s) but the file holds 15175 ...'
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import struct

import numpy as np

SAMPLE_RATE = 16000
#: shortest recording accepted: openSMILE's is10/is11 configurations return NaN below 80 ms
#: (measured on a synthetic utterance: is09 from 40 ms, is13/eGeMAPS/ComParE LLD from 60 ms).
MIN_SECONDS = 0.1
#: peak amplitude below one step of 16-bit PCM: nothing but digital silence
SILENCE_PEAK = 1 / 32768


class AudioFileError(ValueError):
    """An audio file that cannot be turned into features; the message names the file and the fix."""


@dataclasses.dataclass(frozen=True)
class DataChunk:
    """Where a RIFF WAV's ``data`` chunk starts, the size its header declares and the bytes present."""

    offset: int
    declared: int
    present: int


def wav_data_chunk(path: str | os.PathLike) -> DataChunk | None:
    """The ``data`` chunk of a RIFF/WAVE file (walking the chunks, so ``PAD `` or ``LIST`` chunks are fine).

    Returns None for files that are not RIFF/WAVE (FLAC...) or have no ``data`` chunk header.
    """
    size = os.path.getsize(path)
    with open(path, "rb") as stream:
        header = stream.read(12)
        if len(header) < 12 or header[:4] not in (b"RIFF", b"RIFX") or header[8:12] != b"WAVE":
            return None
        order = "<" if header[:4] == b"RIFF" else ">"
        position = 12
        while position + 8 <= size:
            stream.seek(position)
            chunk_id, chunk_size = struct.unpack(order + "4sI", stream.read(8))
            if chunk_id == b"data":
                return DataChunk(position + 8, chunk_size, size - position - 8)
            position += 8 + chunk_size + (chunk_size & 1)  # chunks are padded to even sizes
    return None


def _truncation(path, frame_bytes: int, rate: int) -> str | None:
    """A message if the header of a WAV declares more audio than the file holds (an interrupted copy)."""
    chunk = wav_data_chunk(path)
    if chunk is None or chunk.declared in (0, 0xFFFFFFFF):  # 0 / -1: streamed WAV of unknown length
        return None
    if chunk.declared <= chunk.present:
        return None
    declared, present = chunk.declared // frame_bytes, chunk.present // frame_bytes
    return (
        f"{path}: the WAV header declares {declared} samples ({declared / rate:.3f} s) but the file holds "
        f"{present} ({present / rate:.3f} s): the file is truncated (an interrupted copy or download?); "
        "copy it again from the corpus release"
    )


def check_signal(signal: np.ndarray, rate: int, path) -> None:
    """Raise :class:`AudioFileError` unless ``signal`` (``[frames]`` or ``[frames, channels]``; float, or int16 as
    16-bit PCM reads) is usable.

    Usable: at least :data:`MIN_SECONDS` long, every sample finite, inside [-1, 1] (float WAVs beyond
    full scale clip or wrap around once converted to 16 bit) and not digital silence.
    """
    if signal.shape[0] == 0:
        raise AudioFileError(f"{path}: the audio file holds no samples; replace or remove it")
    seconds = signal.shape[0] / rate
    if seconds < MIN_SECONDS:
        raise AudioFileError(
            f"{path}: the recording is {seconds:.3f} s long ({signal.shape[0]} samples at {rate} Hz), shorter "
            f"than the minimum of {MIN_SECONDS} s that every openSMILE feature set needs; remove the file"
        )
    high, low = float(signal.max()), float(signal.min())  # NaN and inf reach these two: one pass each
    if not (np.isfinite(high) and np.isfinite(low)):
        finite = np.isfinite(signal)
        bad = int(signal.size - finite.sum())
        first = int(np.argwhere(~finite)[0][0])
        raise AudioFileError(
            f"{path}: {bad} of {signal.size} samples are NaN or infinite (the first at {first / rate:.3f} s); "
            "the file was written from corrupt data: export it again from its source or remove it"
        )
    peak = max(high, -low) / (32768.0 if signal.dtype == np.int16 else 1.0)
    if peak > 1.0:
        raise AudioFileError(
            f"{path}: samples reach {peak:.3g}, outside the [-1, 1] full scale of a float WAV (they would clip or "
            "wrap around when converted to 16 bit); divide the audio by its peak or export it again as 16-bit PCM"
        )
    if peak < SILENCE_PEAK:
        raise AudioFileError(
            f"{path}: the recording is digital silence (peak amplitude {peak:.3g}, below one 16-bit step) over "
            f"{seconds:.3f} s; replace it with the real recording or remove it"
        )


#: bytes per sample of the PCM subtypes whose WAV length :func:`_truncation` checks
_SAMPLE_BYTES = {"PCM_U8": 1, "PCM_S8": 1, "PCM_16": 2, "PCM_24": 3, "PCM_32": 4, "FLOAT": 4, "DOUBLE": 8}


def _read(path, dtype: str | None = "float32") -> tuple[np.ndarray, int]:
    """The samples (``[frames, channels]``) and rate of an audio file, after the truncation check.

    Args:
        dtype: of the samples; ``None``: int16 where that is exact (PCM of 16 bits or fewer: 3x faster to
            read than float32, enough for :func:`check_signal`), else float32.
    """
    import soundfile

    try:
        with soundfile.SoundFile(str(path)) as stream:  # one open for the header and the samples
            subtype, channels, rate = stream.subtype, stream.channels, stream.samplerate
            exact = dtype or ("int16" if subtype in ("PCM_U8", "PCM_S8", "PCM_16") else "float32")
            signal = stream.read(dtype=exact, always_2d=True)
    except Exception as err:  # soundfile raises LibsndfileError, RuntimeError, OSError...
        raise AudioFileError(
            f"{path}: cannot read audio ({err}); expected a WAV/FLAC file, replace or remove it"
        ) from err
    if subtype in _SAMPLE_BYTES:
        problem = _truncation(path, _SAMPLE_BYTES[subtype] * channels, rate)
        if problem:
            raise AudioFileError(problem)
    return signal, rate


def read_audio(path: str | os.PathLike, sample_rate: int = SAMPLE_RATE, channel: int | None = None) -> np.ndarray:
    """Read a WAV/FLAC file as float32 mono at ``sample_rate`` (resampled when needed), after the checks.

    Args:
        channel: ``None`` mixes the channels down (their mean); an index takes that channel alone (for
            recordings whose channels are different microphones, where the mean is a comb filter).

    Raises:
        AudioFileError: the file is missing, unreadable, not audio, truncated, fails :func:`check_signal`, or has
            no channel ``channel``.
    """
    signal, rate = _read(path)
    check_signal(signal, rate, path)
    if channel is None:
        signal = signal.mean(axis=1)
    elif channel < signal.shape[1]:
        signal = signal[:, channel]
    else:
        raise AudioFileError(
            f"{path}: the file has {signal.shape[1]} channel(s), so channel {channel} (counted from 0) does not "
            "exist; replace the file with the release's own copy"
        )
    if rate != sample_rate:
        from math import gcd

        from scipy.signal import resample_poly

        g = gcd(int(rate), sample_rate)
        signal = resample_poly(signal, sample_rate // g, int(rate) // g).astype(np.float32)
    return signal


@dataclasses.dataclass(frozen=True)
class AudioCheck:
    """Outcome of :func:`check_file`: the sample rate, the problem (None: usable), :func:`content_hash` and the
    number of channels."""

    sample_rate: int | None
    problem: str | None
    content_hash: str | None
    channels: int | None = None


def check_file(path: str | os.PathLike) -> AudioCheck:
    """Read ``path`` and run the checks of :func:`read_audio`; never raises for a bad file."""
    try:
        signal, rate = _read(path, dtype=None)
        check_signal(signal, rate, path)
    except AudioFileError as err:
        return AudioCheck(None, str(err), None)
    return AudioCheck(rate, None, content_hash(path), signal.shape[1])


def content_hash(path: str | os.PathLike) -> str:
    """SHA-256 of a file's audio: the ``data`` chunk of a WAV (headers and metadata chunks ignored), else all bytes."""
    chunk = wav_data_chunk(path)
    with open(path, "rb") as stream:
        if chunk is None:
            return hashlib.sha256(stream.read()).hexdigest()
        stream.seek(chunk.offset)
        unknown = chunk.declared in (0, 0xFFFFFFFF)  # streamed WAV: the data runs to the end of the file
        return hashlib.sha256(stream.read(chunk.present if unknown else min(chunk.declared, chunk.present))).hexdigest()


def duplicate_groups(paths, hashes=None) -> list[list]:
    """Groups (two or more, in input order) of ``paths`` whose audio is identical.

    Args:
        paths: audio files.
        hashes: their :func:`content_hash` es, if already known (same order); computed otherwise.
    """
    by_hash: dict[str, list] = {}
    for path, digest in zip(paths, hashes or map(content_hash, paths)):
        by_hash.setdefault(digest, []).append(path)
    return [group for group in by_hash.values() if len(group) > 1]


def duplicates_message(groups) -> str:
    """The groups of :func:`duplicate_groups`, one line each, and why they matter."""
    listed = "\n  ".join(" = ".join(str(p) for p in group) for group in groups)
    return (
        f"{len(groups)} group(s) of files hold identical audio (one recording under two names counts twice "
        f"and, across speakers or sessions, leaks between training and test folds):\n  {listed}"
    )
