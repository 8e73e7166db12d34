"""Write ``dummy_data/``: a synthetic, format-faithful stand-in for MSP-IMPROV.

Nothing here is MSP-IMPROV content: audio comes from serzoo's source-filter synthesiser (0.4 s,
PCM_16), rating values and rater ids are invented. The layout and ``Evaluation.txt`` follow
``docs/CORPORA.md`` with the quirks the builder must survive:

* ``Audio/session<N>/<SxxE>/<T>/MSP-IMPROV-<...>.wav``, 5 clips per session (30 in all) of
  all four recording types P/S/R/T, a decoy ``.avi`` beside a WAV;
* consensus ids ``UTD-IMPROV-<...>.avi`` where the WAVs are ``MSP-IMPROV-<...>``;
* values in A, V, D, N order with the space before ``; N:``, ``NaN`` values, codes O and X, a
  perceived label that differs from the scenario target;
* rater lines after each consensus line, duplicate (clip, rater) lines, blocks with and without
  blank lines between them;
* one WAV at 44.1 kHz (the builder resamples to 16 kHz).

Run: ``python tfds_builders/msp_improv/dummy_data_generation.py``.
"""

import math
import pathlib
import shutil

import numpy as np
import soundfile

from serzoo import synth_corpus

SECONDS = 0.4
HIGH_RATE_CLIP = "MSP-IMPROV-S15A-M06-S-MM02"
NAN = math.nan

# session -> [(sentence+target, speaker gender, type, last field, code, (A, V, D, N)), ...]
CLIPS = {
    1: [
        ("S01A", "F", "P", "FM01", "A", (4.2, 1.8, 3.8, 3.4)),
        ("S01A", "F", "S", "FM01", "A", (4.0, 2.0, 4.0, 3.0)),
        ("S01A", "M", "R", "MF01", "N", (2.4, 3.0, 3.0, 2.6)),
        ("S02H", "M", "P", "MF02", "H", (3.6, 4.4, 3.2, 4.0)),
        ("S02H", "F", "T", "FM03", "O", (3.0, 3.5, 3.0, NAN)),
    ],
    2: [
        ("S03S", "F", "S", "FM01", "S", (1.8, 1.6, 2.0, 3.2)),
        ("S03S", "M", "P", "MF01", "X", (2.5, 2.5, NAN, 3.0)),
        ("S03S", "F", "P", "FM02", "S", (2.0, 1.8, 2.2, 3.6)),
        ("S04N", "F", "R", "FF01", "N", (2.6, 3.0, 3.0, 3.0)),
        ("S04N", "M", "T", "MM01", "N", (2.8, 3.2, 3.4, 4.2)),
    ],
    3: [
        ("S02H", "M", "P", "MF03", "H", (3.2, 3.8, 3.0, 3.4)),
        ("S05A", "F", "S", "FM01", "A", (4.4, 1.6, 4.2, 2.8)),
        ("S05A", "M", "R", "MF01", "S", (2.2, 2.0, 2.4, 3.0)),
        ("S06N", "F", "P", "FM02", "N", (3.0, 3.0, 3.0, 3.8)),
        ("S06N", "M", "T", "MF02", "X", (NAN, NAN, NAN, NAN)),
    ],
    4: [
        ("S07H", "F", "S", "FM01", "H", (3.8, 4.2, 3.6, 3.2)),
        ("S07H", "M", "P", "MF01", "H", (3.4, 4.0, 3.2, 4.4)),
        ("S08S", "F", "R", "FF02", "S", (1.6, 1.8, 1.8, 2.4)),
        ("S08S", "M", "T", "MM02", "O", (3.0, 2.8, 3.0, 4.0)),
        ("S09N", "F", "S", "FM03", "N", (2.5, 3.5, 3.0, 3.0)),
    ],
    5: [
        ("S10A", "M", "S", "MF01", "A", (4.6, 1.4, 4.4, 3.0)),
        ("S10A", "F", "P", "FM01", "N", (2.6, 2.8, 3.0, 3.6)),
        ("S11H", "M", "R", "MM01", "H", (3.6, 4.0, 3.4, 2.8)),
        ("S12S", "F", "S", "FF01", "S", (1.4, 1.6, 2.0, 3.0)),
        ("S12S", "M", "T", "MF02", "X", (3.0, 2.6, 3.0, 4.6)),
    ],
    6: [
        ("S13N", "F", "S", "FM01", "N", (2.8, 3.0, 2.8, 3.2)),
        ("S13N", "M", "P", "MF01", "N", (3.0, 3.2, 3.0, 3.8)),
        ("S14H", "F", "R", "FF02", "H", (3.8, 4.6, 3.6, 2.6)),
        ("S15A", "M", "S", "MM02", "A", (4.4, 1.8, 4.0, 3.0)),
        ("S20S", "F", "T", "FM03", "S", (2.0, 1.6, NAN, 4.0)),
    ],
}
CATEGORY = {"A": "Angry", "H": "Happy", "S": "Sad", "N": "Neutral", "O": "Other", "X": "Neutral"}
SYNTH_EMOTION = {"A": "anger", "H": "happiness", "S": "sadness"}


def _fmt(value: float, digits: int = 4) -> str:
    return "NaN" if math.isnan(value) else f"{value:.{digits}f}"


def _rater_line(rater: str, code: str, values, shift: float = 0.0) -> str:
    a, v, d, n = (x if math.isnan(x) else min(5.0, max(1.0, round(x + shift))) for x in values)
    return (
        f"{rater}; {CATEGORY[code]}; {CATEGORY[code].lower()}; A:{_fmt(a, 1)}; V:{_fmt(v, 1)}; "
        f"D:{_fmt(d, 1)}; N:{_fmt(n, 1)};"
    )


def main(out_dir: pathlib.Path = pathlib.Path(__file__).parent / "dummy_data") -> None:
    for stale in ("Audio", "Evaluation.txt"):
        target = out_dir / stale
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    lines = []
    for session, clips in CLIPS.items():
        for index, (sentence, gender, kind, last, code, values) in enumerate(clips):
            clip = f"{sentence}-{gender}{session:02d}-{kind}-{last}"
            stem = f"MSP-IMPROV-{clip}"
            a, v, d, n = values
            lines.append(f"UTD-IMPROV-{clip}.avi; {code}; A:{_fmt(a)}; V:{_fmt(v)}; D:{_fmt(d)} ; N:{_fmt(n)};")
            raters = [f"rater_x{(7 * session + k) % 40:02d}" for k in range(3)]
            for k, rater in enumerate(raters):
                lines.append(_rater_line(rater, code, values, shift=0.5 * (k - 1)))
            if index == 1:  # the same (clip, rater) twice, identical
                lines.append(lines[-1])
            if index == 3:  # the same (clip, rater) twice, with other values
                lines.append(_rater_line(raters[0], code, values, shift=1.0))
            if index % 2 == 0:
                lines.append("")
            rate = 44100 if stem == HIGH_RATE_CLIP else 16000
            speaker = synth_corpus.Speaker(
                id=f"{gender}{session:02d}",
                gender="female" if gender == "F" else "male",
                f0_hz=(200.0 if gender == "F" else 110.0) + 3 * session,
                formant_scale=1.16 if gender == "F" else 1.0,
            )
            rng = np.random.default_rng([session, index, 17])
            audio = synth_corpus.synthesize_utterance(
                speaker, SYNTH_EMOTION.get(sentence[-1], "neutral"), int(sentence[1:3]) % 10, rng, rate
            )[: int(SECONDS * rate)]
            folder = out_dir / "Audio" / f"session{session}" / sentence / kind
            folder.mkdir(parents=True, exist_ok=True)
            soundfile.write(folder / f"{stem}.wav", audio, rate, subtype="PCM_16")
            if index == 0:
                (folder / f"{stem}.avi").write_bytes(b"decoy: not a video, not audio")
    (out_dir / "Evaluation.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
