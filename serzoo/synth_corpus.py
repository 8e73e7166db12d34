"""Procedurally synthesised acted-emotion speech corpus (EmoDB-like layout).

Lets serzoo run end to end on machines without a real corpus.  Every
utterance is made by a source-filter synthesiser:

* source: a Rosenberg glottal-flow pulse train (differentiated for lip
  radiation) driven by a speaker/emotion-specific F0 contour, with
  cycle-to-cycle period (jitter) and amplitude (shimmer) perturbation,
  pulsed aspiration noise (breathiness) and a first-order spectral-tilt
  filter;
* filter: a cascade of five 2nd-order formant resonators
  (``scipy.signal.lfilter``) per vowel (Peterson & Barney 1952 male
  averages, scaled by the speaker's vocal-tract length);
* text: ``text_id`` fixes a sequence of 6-9 CV syllables (fricative, aspirate
  or plosive noise followed by a vowel, with a stress pattern), identical
  across speakers and emotions.

Emotion-specific prosody follows the acoustic correlates reviewed by Murray &
Arnott (1993, "Toward the simulation of emotion in synthetic speech", JASA
93:1097), Banse & Scherer (1996, "Acoustic profiles in vocal emotion
expression", JPSP 70:614) and Scherer (2003, "Vocal communication of
emotion", Speech Communication 40:227): anger, happiness and fear are high,
wide-ranged, fast and (anger, happiness) loud with a flat spectrum; fear is
irregular (F0 wobble, jitter); sadness and boredom are low, monotonous, slow,
quiet and spectrally steep; disgust is low and slow with a wide downward
terminal fall.  Nominal parameters (``EMOTION_PARAMS``; ``parameter_table()``):

=========================================================================================
emotion   F0x  range decl term irreg syl-dur level jitter shimmer breath tilt  OQ   artic
               st    st   st   st    x       dB    %      %
=========================================================================================
anger     1.35 6.0   2.5  -2.5 0.4   0.85    +8.0  1.2    6.0     0.08   +0.60 0.45 1.10
boredom   0.90 1.5   2.5  -1.5 0.2   1.20    -3.0  1.0    5.0     0.12   -0.40 0.68 0.85
disgust   0.88 3.5   2.0  -4.5 0.4   1.15    -2.0  2.0    9.0     0.12   -0.20 0.62 1.00
fear      1.45 5.0   1.0  +1.0 1.2   0.80    +1.0  2.5    9.0     0.20   +0.20 0.55 1.05
happiness 1.30 7.0   1.0  +2.5 0.3   0.90    +5.0  0.8    4.0     0.10   +0.40 0.55 1.05
sadness   0.94 1.8   3.0  -2.5 0.3   1.25    -6.0  2.0    9.0     0.25   -0.50 0.72 0.80
neutral   1.00 3.0   2.0  -1.0 0.2   1.00    +0.0  0.8    4.0     0.05   +0.00 0.60 1.00
=========================================================================================

F0x: mean F0 relative to the speaker's baseline; range: accent height on
stressed syllables; decl: declination over the utterance; term: terminal
movement on the last vowel; irreg: random F0 wobble (all in semitones);
syl-dur: syllable duration factor (speaking rate); level: RMS intensity;
jitter/shimmer: s.d. of cycle-to-cycle period/amplitude perturbation;
breath: aspiration-to-voice RMS ratio; tilt: > 0 pre-emphasis (flatter),
< 0 one-pole low-pass (steeper) coefficient; OQ: glottal open quotient
(tense < lax); artic: vowel-space scaling around schwa (< 1 = slurred).

Speakers differ in F0 baseline, vocal-tract length, rate, level,
breathiness and *expressiveness* (how far their emotions move from their
neutral voice); each utterance adds random variation to every parameter, so
classes overlap: a classifier scores well above chance (1/7) but not 100 %.
Nothing runs at import; no TensorFlow.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import os
import pathlib
import re

import numpy as np
import soundfile as sf
from scipy import signal

from serzoo.emotions import EMODB_CLASSES as EMOTIONS
from serzoo.emotions import EMODB_LETTERS

LETTERS = {emotion: letter for letter, emotion in EMODB_LETTERS.items()}
N_TEXTS = 10
MIN_DURATION_S = 1.0
MAX_DURATION_S = 2.5

_EMOTION_OF_LETTER = {letter: emotion for emotion, letter in LETTERS.items()}
_VERSIONS = "abcdefghijklmnopqrstuvwxyz"
_NAME_RE = re.compile(r"^(?P<speaker>\d{2})(?P<text>[a-z]\d{2})(?P<letter>[A-Z])(?P<version>[a-z])$")
_NAME_PATTERN = (
    "<2-digit speaker><text: letter + 2 digits><emotion letter, one of WLEAFTN><version a-z>, e.g. '01t03Wa'"
)
_REFERENCE_DBFS = -28.0
_NOISE_FLOOR_DBFS = -66.0


@dataclasses.dataclass(frozen=True)
class Speaker:
    """A synthetic speaker: voice baseline shared by all their utterances."""

    id: str
    gender: str
    f0_hz: float
    formant_scale: float
    rate_scale: float = 1.0
    level_db: float = 0.0
    breathiness: float = 0.0
    expressiveness: float = 1.0


@dataclasses.dataclass(frozen=True)
class Prosody:
    """Emotion-dependent source and prosody parameters (see module docstring)."""

    f0_scale: float
    f0_range_st: float
    declination_st: float
    terminal_st: float
    irregularity_st: float
    syllable_scale: float
    level_db: float
    jitter: float
    shimmer: float
    breathiness: float
    tilt: float
    open_quotient: float
    articulation: float


EMOTION_PARAMS = {
    "anger": Prosody(1.35, 6.0, 2.5, -2.5, 0.4, 0.85, 8.0, 0.012, 0.06, 0.08, 0.60, 0.45, 1.10),
    "boredom": Prosody(0.90, 1.5, 2.5, -1.5, 0.2, 1.20, -3.0, 0.010, 0.05, 0.12, -0.40, 0.68, 0.85),
    "disgust": Prosody(0.88, 3.5, 2.0, -4.5, 0.4, 1.15, -2.0, 0.020, 0.09, 0.12, -0.20, 0.62, 1.00),
    "fear": Prosody(1.45, 5.0, 1.0, 1.0, 1.2, 0.80, 1.0, 0.025, 0.09, 0.20, 0.20, 0.55, 1.05),
    "happiness": Prosody(1.30, 7.0, 1.0, 2.5, 0.3, 0.90, 5.0, 0.008, 0.04, 0.10, 0.40, 0.55, 1.05),
    "sadness": Prosody(0.94, 1.8, 3.0, -2.5, 0.3, 1.25, -6.0, 0.020, 0.09, 0.25, -0.50, 0.72, 0.80),
    "neutral": Prosody(1.00, 3.0, 2.0, -1.0, 0.2, 1.00, 0.0, 0.008, 0.04, 0.05, 0.00, 0.60, 1.00),
}

# Docstring table columns: header, unit, Prosody field, format, factor, width.
_TABLE_COLUMNS = (
    ("F0x", "", "f0_scale", "{:.2f}", 1, 5),
    ("range", "st", "f0_range_st", "{:.1f}", 1, 6),
    ("decl", "st", "declination_st", "{:.1f}", 1, 5),
    ("term", "st", "terminal_st", "{:+.1f}", 1, 5),
    ("irreg", "st", "irregularity_st", "{:.1f}", 1, 6),
    ("syl-dur", "x", "syllable_scale", "{:.2f}", 1, 8),
    ("level", "dB", "level_db", "{:+.1f}", 1, 6),
    ("jitter", "%", "jitter", "{:.1f}", 100, 7),
    ("shimmer", "%", "shimmer", "{:.1f}", 100, 8),
    ("breath", "", "breathiness", "{:.2f}", 1, 7),
    ("tilt", "", "tilt", "{:+.2f}", 1, 6),
    ("OQ", "", "open_quotient", "{:.2f}", 1, 5),
    ("artic", "", "articulation", "{:.2f}", 1, 5),
)

# Per-utterance variation: field -> ("log" multiplicative | "add" additive, s.d.).
_UTTERANCE_SD = {
    "f0_scale": ("log", 0.05),
    "f0_range_st": ("log", 0.25),
    "declination_st": ("add", 0.7),
    "terminal_st": ("add", 0.8),
    "irregularity_st": ("log", 0.3),
    "syllable_scale": ("log", 0.07),
    "level_db": ("add", 1.5),
    "jitter": ("log", 0.25),
    "shimmer": ("log", 0.25),
    "breathiness": ("log", 0.3),
    "tilt": ("add", 0.12),
    "open_quotient": ("add", 0.03),
    "articulation": ("add", 0.04),
}
_LIMITS = {
    "tilt": (-0.85, 0.85),
    "open_quotient": (0.3, 0.85),
    "articulation": (0.6, 1.3),
    "breathiness": (0.0, 0.6),
}

# Vowel formants F1-F3 in Hz (Peterson & Barney 1952, male averages); F4, F5 fixed.
_VOWELS = np.array(
    [
        [270, 2290, 3010],  # i
        [390, 1990, 2550],  # I
        [530, 1840, 2480],  # E
        [660, 1720, 2410],  # ae
        [730, 1090, 2440],  # a
        [570, 840, 2410],  # O
        [440, 1020, 2240],  # U
        [300, 870, 2240],  # u
        [640, 1190, 2390],  # V
    ],
    dtype=float,
)
_SCHWA = np.array([500.0, 1500.0, 2500.0])
_HIGH_FORMANTS = np.array([3300.0, 3750.0])
_BANDWIDTHS = np.array([60.0, 90.0, 120.0, 175.0, 250.0])

# Consonants: name -> (band low Hz, band high Hz, gain re vowel RMS, plosive?); "h" is vowel-shaped.
_CONSONANTS = {
    "s": (3800.0, 7500.0, 0.30, False),
    "sh": (2000.0, 5000.0, 0.35, False),
    "f": (800.0, 7500.0, 0.10, False),
    "h": (0.0, 0.0, 0.12, False),
    "t": (2500.0, 6500.0, 0.60, True),
    "k": (1200.0, 3500.0, 0.60, True),
    "p": (300.0, 2000.0, 0.50, True),
}


@dataclasses.dataclass(frozen=True)
class _Syllable:
    consonant: str
    vowel: int
    stress: float
    c_start: int
    v_start: int
    v_stop: int


@dataclasses.dataclass(frozen=True)
class _Plan:
    prosody: Prosody
    f0_hz: float
    formant_scale: float
    syllables: tuple[_Syllable, ...]
    n_samples: int
    sample_rate: int


# --------------------------------------------------------------------------- names


def utterance_name(speaker_id: str, text_id: int, emotion: str, version: str = "a") -> str:
    """EmoDB-style stem, e.g. ``utterance_name("01", 3, "anger") == "01t03Wa"``."""
    _check_emotion(emotion)
    _check_int("text_id", text_id, 0, 99)
    stem = f"{speaker_id}t{int(text_id):02d}{LETTERS[emotion]}{version}"
    parse_utterance_name(stem)  # validates speaker_id and version
    return stem


def parse_utterance_name(stem: str) -> dict:
    """Inverse of :func:`utterance_name`; also accepts real EmoDB stems such as ``03a01Fa``."""
    match = _NAME_RE.match(stem) if isinstance(stem, str) else None
    if match is None:
        raise ValueError(f"invalid utterance name {stem!r}: expected {_NAME_PATTERN}")
    letter = match["letter"]
    if letter not in _EMOTION_OF_LETTER:
        raise ValueError(
            f"invalid utterance name {stem!r}: unknown emotion letter {letter!r}; expected {_NAME_PATTERN}"
        )
    return {
        "speaker": match["speaker"],
        "text": match["text"],
        "emotion": _EMOTION_OF_LETTER[letter],
        "version": match["version"],
    }


def _check_emotion(emotion: str) -> None:
    if emotion not in LETTERS:
        raise ValueError(f"emotion must be one of {EMOTIONS}, got {emotion!r}")


def parameter_table() -> str:
    """The nominal per-emotion parameter table, as printed in the module docstring."""
    rows = [["emotion", *(c[0] for c in _TABLE_COLUMNS)], ["", *(c[1] for c in _TABLE_COLUMNS)]]
    for emotion in EMOTIONS:
        p = EMOTION_PARAMS[emotion]
        cells = (fmt.format(factor * getattr(p, field)) for _, _, field, fmt, factor, _ in _TABLE_COLUMNS)
        rows.append([emotion, *cells])
    widths = [10, *(c[5] for c in _TABLE_COLUMNS)]
    lines = ["".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    rule = "=" * sum(widths)
    return "\n".join([rule, *lines[:2], rule, *lines[2:], rule])


# --------------------------------------------------------------------------- speakers and texts


def make_speakers(n_speakers: int = 10, seed: int = 0) -> list[Speaker]:
    """``n_speakers`` speakers "01", "02", ..., alternating male/female.

    Speaker ``i`` depends only on ``(seed, i)``, so smaller sets are prefixes of larger ones.
    """
    _check_int("n_speakers", n_speakers, 1, 99)
    return [_make_speaker(i, seed) for i in range(n_speakers)]


def _make_speaker(index: int, seed: int) -> Speaker:
    rng = np.random.default_rng([seed, index, 0x5BEA])
    male = index % 2 == 0
    f0_mean, f0_lo, f0_hi, vtl = (110.0, 85.0, 150.0, 1.0) if male else (210.0, 165.0, 260.0, 1.16)
    return Speaker(
        id=f"{index + 1:02d}",
        gender="male" if male else "female",
        f0_hz=float(np.clip(f0_mean * np.exp(rng.normal(0, 0.1)), f0_lo, f0_hi)),
        formant_scale=float(vtl * np.exp(rng.normal(0, 0.035))),
        rate_scale=float(np.exp(rng.normal(0, 0.08))),
        level_db=float(rng.normal(0, 1.5)),
        breathiness=float(rng.uniform(0.0, 0.05) + (0.0 if male else 0.04)),
        expressiveness=float(rng.uniform(0.6, 1.2)),
    )


@functools.lru_cache(maxsize=128)
def _text(text_id: int) -> tuple[tuple[str, int, float, float, float], ...]:
    """Syllables ``(consonant, vowel, stress, consonant secs, vowel secs)``; seed-independent."""
    rng = np.random.default_rng([0x7E47, text_id])
    n = int(rng.integers(6, 10))
    consonants = rng.choice(list(_CONSONANTS), n)
    vowels = rng.integers(len(_VOWELS), size=n)
    stress = rng.uniform(0.0, 0.4, n)
    stress[rng.choice(n, size=2 if n > 7 else 1, replace=False)] = 1.0
    c_dur, v_dur = rng.uniform(0.05, 0.09, n), rng.uniform(0.10, 0.14, n)
    return tuple(
        (str(c), int(v), float(s), float(cd), float(vd))
        for c, v, s, cd, vd in zip(consonants, vowels, stress, c_dur, v_dur)
    )


# --------------------------------------------------------------------------- planning


def _utterance_prosody(speaker: Speaker, emotion: str, rng: np.random.Generator) -> Prosody:
    """Emotion parameters scaled by speaker expressiveness and offsets, varied per utterance."""
    neutral, target = EMOTION_PARAMS["neutral"], EMOTION_PARAMS[emotion]
    values = {}
    for field, (kind, sd) in _UTTERANCE_SD.items():
        n, t = getattr(neutral, field), getattr(target, field)
        value = n + speaker.expressiveness * (t - n)
        value = value * np.exp(rng.normal(0, sd)) if kind == "log" else value + rng.normal(0, sd)
        values[field] = float(value)
    values["syllable_scale"] *= speaker.rate_scale
    values["level_db"] += speaker.level_db
    values["breathiness"] += speaker.breathiness
    for field, (lo, hi) in _LIMITS.items():
        values[field] = float(np.clip(values[field], lo, hi))
    return Prosody(**values)


def _plan_utterance(speaker: Speaker, emotion: str, text_id: int, rng: np.random.Generator, sample_rate: int) -> _Plan:
    """Draw prosody and segment timing (cheap; fixes the utterance length)."""
    _check_emotion(emotion)
    _check_int("text_id", text_id, 0, 99)
    _check_int("sample_rate", sample_rate, 8000, 192000)
    prosody = _utterance_prosody(speaker, emotion, rng)
    consonants, vowels, stress, c_dur, v_dur = zip(*_text(int(text_id)))
    n = len(vowels)
    c_dur = np.array(c_dur) * rng.uniform(0.9, 1.1, n)
    v_dur = np.array(v_dur) * (1 + 0.5 * np.array(stress)) * rng.uniform(0.85, 1.15, n)
    v_dur[-1] *= 1.3  # phrase-final lengthening
    durations = np.stack([c_dur, v_dur], axis=1).ravel() * prosody.syllable_scale
    lead, trail = rng.uniform(0.05, 0.15, 2)
    speech = np.clip(durations.sum(), MIN_DURATION_S - lead - trail, MAX_DURATION_S - lead - trail)
    durations *= speech / durations.sum()
    bounds = np.round((lead + np.cumsum([0.0, *durations])) * sample_rate).astype(int)
    syllables = tuple(
        _Syllable(c, v, s, *map(int, bounds[2 * i : 2 * i + 3]))
        for i, (c, v, s) in enumerate(zip(consonants, vowels, stress))
    )
    n_samples = int(round((lead + speech + trail) * sample_rate))
    f0 = speaker.f0_hz * prosody.f0_scale
    return _Plan(prosody, f0, speaker.formant_scale, syllables, n_samples, sample_rate)


def _check_int(name: str, value, lo: int, hi: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise ValueError(f"{name} must be an integer in {lo}..{hi}, got {value!r}")


# --------------------------------------------------------------------------- rendering


def synthesize_utterance(
    speaker: Speaker, emotion: str, text_id: int, rng: np.random.Generator, sample_rate: int = 16000
) -> np.ndarray:
    """One utterance: float32 mono in [-1, 1], 1.0-2.5 s; deterministic given ``rng``'s state."""
    return _render(_plan_utterance(speaker, emotion, text_id, rng, sample_rate), rng)


def _render(plan: _Plan, rng: np.random.Generator) -> np.ndarray:
    f0 = _f0_contour(plan, rng)
    excitation = _glottal_source(f0, plan.prosody, rng, plan.sample_rate)
    out = np.zeros(plan.n_samples)
    voiced = np.zeros(plan.n_samples, dtype=bool)
    for syllable in plan.syllables:
        _add_vowel(out, excitation, syllable, plan, rng)
        voiced[syllable.v_start : syllable.v_stop] = True
    vowel_rms = _rms(out[voiced])
    for syllable in plan.syllables:
        _add_consonant(out, syllable, plan, vowel_rms, rng)
    return _finalise(out, vowel_rms, plan.prosody.level_db, rng)


def _f0_contour(plan: _Plan, rng: np.random.Generator) -> np.ndarray:
    """Per-sample F0 in Hz: declination + stress accents + terminal movement + random wobble."""
    p, sr = plan.prosody, plan.sample_rate
    t = np.arange(plan.n_samples) / sr
    duration = plan.n_samples / sr
    st = p.declination_st * (0.5 - t / duration)
    for s in plan.syllables:
        centre = (s.v_start + s.v_stop) / (2 * sr)
        width = 0.6 * (s.v_stop - s.v_start) / sr
        st += p.f0_range_st * s.stress * rng.uniform(0.7, 1.3) * np.exp(-0.5 * ((t - centre) / width) ** 2)
    last = plan.syllables[-1]
    st += p.terminal_st * np.clip((np.arange(plan.n_samples) - last.v_start) / (last.v_stop - last.v_start), 0, 1)
    knots = np.arange(0.0, duration + 0.125, 0.125)  # ~8 Hz wobble
    st += p.irregularity_st * np.interp(t, knots, rng.standard_normal(knots.size))
    return np.clip(plan.f0_hz * 2.0 ** (st / 12), 50.0, 700.0)


def _glottal_source(f0: np.ndarray, p: Prosody, rng: np.random.Generator, sample_rate: int) -> np.ndarray:
    """Differentiated Rosenberg pulses + jitter, shimmer, spectral tilt, pulsed aspiration noise."""
    nominal_cycles = np.floor(np.cumsum(f0) / sample_rate).astype(int)
    n_cycles = nominal_cycles[-1] + 2
    period_factor = np.clip(1 + p.jitter * rng.standard_normal(n_cycles), 0.7, 1.3)
    phase = np.cumsum(f0 / period_factor[nominal_cycles]) / sample_rate
    cycle = np.floor(phase).astype(int)
    flow = _rosenberg(phase - cycle, p.open_quotient)
    amplitude = np.clip(1 + p.shimmer * rng.standard_normal(n_cycles + 1), 0.3, 1.7)
    flow *= amplitude[np.minimum(cycle, n_cycles)]
    source = _tilt(np.diff(flow, prepend=0.0), p.tilt)
    noise = np.diff(rng.standard_normal(flow.size + 1)) * (0.3 + 0.7 * flow / max(flow.max(), 1e-9))
    return source + p.breathiness * _rms(source) / max(_rms(noise), 1e-12) * noise


def _rosenberg(frac: np.ndarray, open_quotient: float) -> np.ndarray:
    """Rosenberg (1971) glottal flow over one cycle; ``frac`` in [0, 1), speed quotient 2."""
    t_open = open_quotient * 2 / 3
    t_close = open_quotient - t_open
    opening = 0.5 * (1 - np.cos(np.pi * frac / t_open))
    closing = np.cos(0.5 * np.pi * (frac - t_open) / t_close)
    return np.where(frac < t_open, opening, np.where(frac < open_quotient, closing, 0.0))


def _tilt(x: np.ndarray, tilt: float) -> np.ndarray:
    """``tilt`` > 0: pre-emphasis ``x[n] - tilt x[n-1]``; < 0: one-pole low-pass, pole ``-tilt``."""
    if tilt >= 0:
        return signal.lfilter([1.0, -tilt], [1.0], x)
    return signal.lfilter([1.0 + tilt], [1.0, tilt], x)


def _formants(vowel: int, plan: _Plan) -> tuple[np.ndarray, np.ndarray]:
    """Formant frequencies and bandwidths (Hz) below 0.45 fs for a vowel in this utterance."""
    low = _SCHWA + plan.prosody.articulation * (_VOWELS[vowel] - _SCHWA)
    freqs = np.concatenate([low, _HIGH_FORMANTS]) * plan.formant_scale
    bandwidths = _BANDWIDTHS * np.array([1 + 2 * plan.prosody.breathiness, 1, 1, 1, 1])
    keep = freqs < 0.45 * plan.sample_rate
    return freqs[keep], bandwidths[keep]


def _resonate(x: np.ndarray, freqs: np.ndarray, bandwidths: np.ndarray, sample_rate: int) -> np.ndarray:
    """Cascade of unit-DC-gain 2nd-order resonators (Klatt 1980)."""
    for freq, bandwidth in zip(freqs, bandwidths):
        r = np.exp(-np.pi * bandwidth / sample_rate)
        a = [1.0, -2 * r * np.cos(2 * np.pi * freq / sample_rate), r * r]
        x = signal.lfilter([sum(a)], a, x)
    return x


def _ramp_envelope(n: int, ramp: int) -> np.ndarray:
    """Ones with raised-cosine fade-in/out of ``ramp`` samples."""
    env = np.ones(n)
    ramp = min(ramp, n // 2)
    if ramp < 1:
        return env
    edge = 0.5 * (1 - np.cos(np.pi * np.arange(ramp) / ramp))
    env[:ramp] = edge
    env[n - ramp :] = np.minimum(env[n - ramp :], edge[::-1])
    return env


def _overlap_add(out: np.ndarray, start: int, x: np.ndarray) -> None:
    stop = min(out.size, start + x.size)
    out[start:stop] += x[: stop - start]


def _add_vowel(out: np.ndarray, excitation: np.ndarray, s: _Syllable, plan: _Plan, rng: np.random.Generator) -> None:
    sr = plan.sample_rate
    n = s.v_stop - s.v_start
    gain_db = 6 * s.stress - 3 - 3 * s.v_start / plan.n_samples + rng.normal(0, 1.0)
    x = excitation[s.v_start : s.v_stop] * _ramp_envelope(n, int(0.02 * sr)) * 10 ** (gain_db / 20)
    x = np.concatenate([x, np.zeros(int(0.03 * sr))])  # let the resonators ring out
    _overlap_add(out, s.v_start, _resonate(x, *_formants(s.vowel, plan), sr))


def _add_consonant(out: np.ndarray, s: _Syllable, plan: _Plan, vowel_rms: float, rng: np.random.Generator) -> None:
    sr = plan.sample_rate
    lo, hi, gain, plosive = _CONSONANTS[s.consonant]
    n = s.v_start - s.c_start
    if n < 4:
        return
    noise = rng.standard_normal(n)
    if s.consonant == "h":
        noise = _resonate(noise, *_formants(s.vowel, plan), sr)
    else:
        noise = signal.sosfilt(_band_sos(lo, hi, sr), noise)
    if plosive:  # closure silence, then a decaying burst
        burst = min(n, int(0.02 * sr))
        noise[: n - burst] = 0.0
        noise[n - burst :] *= np.exp(-np.arange(burst) / (0.004 * sr))
    else:
        noise *= _ramp_envelope(n, int(0.015 * sr))
    level = gain * plan.prosody.articulation * vowel_rms / max(_rms(noise[noise != 0]), 1e-12)
    _overlap_add(out, s.c_start, level * noise)


@functools.lru_cache(maxsize=64)
def _band_sos(lo: float, hi: float, sample_rate: int) -> np.ndarray:
    nyquist = sample_rate / 2
    hi = min(hi, 0.9 * nyquist)
    lo = min(lo, 0.5 * hi)
    return signal.butter(2, [lo / nyquist, hi / nyquist], btype="bandpass", output="sos")


def _finalise(x: np.ndarray, vowel_rms: float, level_db: float, rng: np.random.Generator) -> np.ndarray:
    """Scale vowels to the target RMS level, add a noise floor, keep peaks within [-1, 1]."""
    x = x * 10 ** ((_REFERENCE_DBFS + level_db) / 20) / max(vowel_rms, 1e-12)
    x += 10 ** (_NOISE_FLOOR_DBFS / 20) * rng.standard_normal(x.size)
    peak = np.abs(x).max()
    if peak > 0.99:
        x *= 0.99 / peak
    return x.astype(np.float32)


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x)))) if x.size else 0.0


# --------------------------------------------------------------------------- corpus


def _corpus_items(n_speakers: int, utterances_per_emotion: int, seed: int):
    """Yield ``(speaker, emotion, text_id, version, rng)`` for every corpus utterance.

    Texts rotate with the speaker so that, over speakers, every emotion gets every text
    (text and emotion are not confounded); a text repeated for the same speaker and emotion
    gets the next version letter.
    """
    for i, speaker in enumerate(make_speakers(n_speakers, seed)):
        for e, emotion in enumerate(EMOTIONS):
            for k in range(utterances_per_emotion):
                text_id = (i + e * utterances_per_emotion + k) % N_TEXTS
                rng = np.random.default_rng([seed, i, e, k])
                yield speaker, emotion, text_id, _VERSIONS[k // N_TEXTS], rng


@functools.lru_cache(maxsize=8)
def _wav_header_bytes(sample_rate: int) -> int:
    buffer = io.BytesIO()
    _write_wav(buffer, np.zeros(1, dtype=np.float32), sample_rate)
    return len(buffer.getvalue()) - 2


def _write_wav(target, audio: np.ndarray, sample_rate: int) -> None:
    sf.write(target, audio, sample_rate, subtype="PCM_16", format="WAV")


def _write_atomic(path: pathlib.Path, write) -> None:
    """``write(tmp_path)`` then rename over ``path``, so ``path`` is never half-written."""
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def _render_file(job) -> None:
    """Render one planned utterance and write it atomically (in a worker process when ``n_jobs > 1``)."""
    path, plan, rng, sample_rate = job
    audio = _render(plan, rng)
    _write_atomic(path, lambda tmp: _write_wav(tmp, audio, sample_rate))


def write_corpus(
    out_dir,
    n_speakers: int = 10,
    utterances_per_emotion: int = 4,
    seed: int = 0,
    sample_rate: int = 16000,
    n_jobs: int = 1,
) -> list[pathlib.Path]:
    """Write ``out_dir/wav/<stem>.wav`` (16-bit PCM mono) per speaker x emotion x utterance.

    Also writes ``out_dir/README.txt`` (first, recording the parameters).  Deterministic in
    ``seed`` (byte-identical files, whatever ``n_jobs``).  If the README already records the same parameters, WAVs
    of the expected size are kept, so an interrupted run resumes; otherwise all are rewritten. ``n_jobs > 1``
    renders in that many spawned worker processes (call it under ``if __name__ == "__main__":``), for corpora of
    thousands of utterances (about 70 ms each on one core).
    Returns the sorted WAV paths.
    """
    _check_int("n_speakers", n_speakers, 1, 99)
    _check_int("utterances_per_emotion", utterances_per_emotion, 1, N_TEXTS * len(_VERSIONS))
    _check_int("sample_rate", sample_rate, 8000, 192000)
    _check_int("n_jobs", n_jobs, 1, 1024)
    out_dir = pathlib.Path(out_dir)
    wav_dir = out_dir / "wav"
    wav_dir.mkdir(parents=True, exist_ok=True)
    n_files = n_speakers * len(EMOTIONS) * utterances_per_emotion
    readme = _readme_text(n_speakers, utterances_per_emotion, seed, sample_rate, n_files)
    readme_path = out_dir / "README.txt"
    resume = readme_path.is_file() and readme_path.read_text(encoding="utf-8") == readme
    if not resume:
        _write_atomic(readme_path, lambda tmp: tmp.write_text(readme, encoding="utf-8"))
    paths, jobs = [], []
    for speaker, emotion, text_id, version, rng in _corpus_items(n_speakers, utterances_per_emotion, seed):
        path = wav_dir / f"{utterance_name(speaker.id, text_id, emotion, version)}.wav"
        plan = _plan_utterance(speaker, emotion, text_id, rng, sample_rate)
        size = _wav_header_bytes(sample_rate) + 2 * plan.n_samples
        if not (resume and path.is_file() and path.stat().st_size == size):
            jobs.append((path, plan, rng, sample_rate))  # rng as left by the plan: the render continues it
        paths.append(path)
    if n_jobs > 1 and len(jobs) > 1:
        from serzoo.processes import process_pool

        with process_pool(min(n_jobs, len(jobs))) as pool:
            for _ in pool.map(_render_file, jobs, chunksize=16):
                pass
    else:
        for job in jobs:
            _render_file(job)
    return sorted(paths)


def _readme_text(n_speakers: int, utterances_per_emotion: int, seed: int, sample_rate: int, n_files: int) -> str:
    letters = ", ".join(f"{LETTERS[e]}={e}" for e in EMOTIONS)
    return f"""\
SYNTHETIC acted-emotion speech corpus: not real speech.
Generated by serzoo (serzoo.synth_corpus.write_corpus) by procedural source-filter synthesis
with emotion-specific prosody after Murray & Arnott (1993), Banse & Scherer (1996) and
Scherer (2003).

seed: {seed}
n_speakers: {n_speakers}
utterances_per_emotion: {utterances_per_emotion}
emotions: {len(EMOTIONS)} ({letters})
files: {n_files} (wav/<stem>.wav, {sample_rate} Hz, 16-bit PCM mono)

File stems follow EmoDB: <speaker 2 digits>t<text 2 digits><emotion letter><version a-z>,
e.g. 01t03Wa = speaker 01, text 03, anger, version a.
"""
