"""Write ``dummy_data/IEMOCAP_full_release/``: a synthetic, format-faithful stand-in for IEMOCAP.

Nothing here is IEMOCAP content: audio comes from serzoo's source-filter synthesiser (0.4 s,
16 kHz PCM_16), label values and transcripts are invented. The layout and the label-file format
follow ``docs/CORPORA.md`` with every quirk the builder must survive:

* two dialogs per session (one improvised, one scripted), with the names ``impro05b`` and
  ``script01_1b`` that break fixed-position parsing, 5 utterances each (50 in all);
* all 11 codes, including ``xxx`` (no majority) and ``oth``; consensus ratings on the bin
  edges 2.5 and 3.5;
* rater lines after each utterance line, one ``A-`` line with an empty dominance and one
  without any;
* per-annotator subfolders ``Categorical/``, ``Attribute/`` and ``Self-evaluation/`` with decoy
  files: the ``Self-evaluation/`` decoy has the same name as a top-level file and contradicts
  it, so a recursive glob gives wrong labels and an utterance without audio;
* a full-dialog decoy WAV in ``dialog/wav/`` (only ``sentences/wav/`` holds utterances);
* transcription files with a non-utterance line.

Run: ``python tfds_builders/iemocap/dummy_data_generation.py``.
"""

import pathlib
import shutil

import numpy as np
import soundfile

from serzoo import synth_corpus

SAMPLES = 6400  # 0.4 s at 16 kHz
HEADER = "% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]"

# session -> [(dialog, [(last field, code, (V, A, D)), ...]), ...], blocks in time order
# (speakers interleave, so the blocks are NOT in sorted file-name order).
DIALOGS = {
    1: [
        (
            "Ses01F_impro01",
            [
                ("F000", "neu", (3.0, 2.5, 2.5)),
                ("M000", "ang", (1.5, 4.0, 4.0)),
                ("F001", "xxx", (2.5, 3.5, 3.0)),
                ("M001", "fru", (2.0, 3.5, 3.5)),
                ("F002", "hap", (4.0, 3.0, 3.0)),
            ],
        ),
        (
            "Ses01M_script01_1b",
            [
                ("M000", "sad", (1.5, 2.0, 2.0)),
                ("F000", "exc", (4.5, 4.0, 3.5)),
                ("M001", "neu", (3.0, 3.0, 3.0)),
                ("F001", "xxx", (2.6667, 3.3333, 3.0)),
                ("M002", "oth", (3.0, 2.5, 3.0)),
            ],
        ),
    ],
    2: [
        (
            "Ses02M_impro03",
            [
                ("F000", "fru", (2.0, 3.5, 3.0)),
                ("M000", "ang", (1.0, 5.0, 4.5)),
                ("F001", "sad", (1.5, 1.5, 2.0)),
                ("M001", "xxx", (2.5, 3.0, 3.0)),
                ("F002", "neu", (3.0, 2.0, 3.0)),
            ],
        ),
        (
            "Ses02F_script02_2",
            [
                ("F000", "exc", (4.0, 4.5, 3.5)),
                ("M000", "hap", (4.5, 3.5, 3.0)),
                ("F001", "sur", (3.5, 4.0, 3.0)),
                ("M001", "neu", (3.0, 2.5, 2.5)),
                ("F002", "xxx", (3.0, 3.0, 3.0)),
            ],
        ),
    ],
    3: [
        (
            "Ses03F_impro05b",
            [
                ("F000", "ang", (1.5, 4.5, 4.0)),
                ("M000", "neu", (3.0, 2.0, 2.5)),
                ("F001", "fea", (2.0, 4.0, 1.5)),
                ("M001", "exc", (4.0, 4.0, 3.0)),
                ("F002", "sad", (2.0, 2.0, 2.0)),
            ],
        ),
        (
            "Ses03M_script03_1",
            [
                ("M000", "xxx", (2.5, 3.0, 3.0)),
                ("F000", "fru", (2.0, 3.0, 3.5)),
                ("M001", "hap", (4.0, 3.0, 3.0)),
                ("F001", "neu", (3.0, 3.0, 3.0)),
                ("M002", "dis", (1.5, 3.5, 4.0)),
            ],
        ),
    ],
    4: [
        (
            "Ses04M_impro06",
            [
                ("M000", "sad", (1.0, 1.5, 1.5)),
                ("F000", "neu", (3.0, 2.5, 3.0)),
                ("M001", "ang", (1.5, 4.0, 4.5)),
                ("F001", "exc", (4.5, 4.5, 3.5)),
                ("M002", "xxx", (2.5, 3.0, 3.0)),
            ],
        ),
        (
            "Ses04F_script01_1b",
            [
                ("F000", "fru", (2.0, 3.5, 3.0)),
                ("M000", "sad", (1.5, 2.0, 2.0)),
                ("F001", "neu", (3.0, 3.0, 2.5)),
                ("M001", "hap", (4.0, 3.5, 3.0)),
                ("F002", "xxx", (3.0, 3.0, 3.0)),
            ],
        ),
    ],
    5: [
        (
            "Ses05F_impro05b",
            [
                ("F000", "neu", (3.0, 2.0, 2.0)),
                ("M000", "exc", (4.0, 4.0, 3.5)),
                ("F001", "ang", (1.5, 4.0, 4.0)),
                ("M001", "fru", (2.0, 3.0, 3.0)),
                ("F002", "sad", (2.0, 1.5, 2.0)),
            ],
        ),
        (
            "Ses05M_script02_1",
            [
                ("M000", "xxx", (2.5, 3.0, 3.0)),
                ("F000", "hap", (4.0, 3.0, 3.5)),
                ("M001", "sur", (3.5, 4.0, 3.0)),
                ("F001", "neu", (3.0, 2.5, 3.0)),
                ("M002", "ang", (1.0, 4.5, 4.5)),
            ],
        ),
    ],
}
CATEGORY = {
    "neu": "Neutral",
    "ang": "Anger",
    "sad": "Sadness",
    "hap": "Happiness",
    "exc": "Excited",
    "fru": "Frustration",
    "sur": "Surprise",
    "fea": "Fear",
    "dis": "Disgust",
    "oth": "Other",
    "xxx": "Frustration; Anger",
}
SYNTH_EMOTION = {
    "ang": "anger",
    "hap": "happiness",
    "exc": "happiness",
    "sad": "sadness",
    "fea": "fear",
    "dis": "disgust",
    "fru": "disgust",
}
WORDS = ["okay", "well", "maybe", "later", "sure", "right", "fine", "never", "again", "today"]


def _speaker(session: int, gender: str) -> synth_corpus.Speaker:
    male = gender == "M"
    return synth_corpus.Speaker(
        id=f"Ses0{session}{gender}",
        gender="male" if male else "female",
        f0_hz=(105.0 if male else 195.0) + 4 * session,
        formant_scale=1.0 if male else 1.16,
    )


def _write_wav(path: pathlib.Path, audio: np.ndarray, rate: int = 16000) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, audio, rate, subtype="PCM_16")


def _label_block(utt: str, code: str, vad, start: float, index: int) -> list[str]:
    v, a, d = vad
    lines = [f"[{start:.4f} - {start + 2.1234:.4f}]\t{utt}\t{code}\t[{v:.4f}, {a:.4f}, {d:.4f}]"]
    lines += [f"C-E{k}:\t{CATEGORY[code]};\t()" for k in (1, 2, 3)]
    lines.append(f"C-{utt.rsplit('_', 1)[1][0]}1:\tNeutral;\t(self-report)")
    lines.append(f"A-E1:\tval {round(v)}; act {round(a)}; dom  {round(d)};\t()")
    if index == 1:
        lines.append(f"A-E2:\tval {round(v)}; act {round(a)}; dom  ;\t()")  # empty dominance
    elif index == 3:
        lines.append(f"A-E2:\tval {round(v)}; act {round(a)};\t(no dominance)")  # no dominance at all
    else:
        lines.append(f"A-E2:\tval {round(v)}; act {round(a)}; dom  {round(d)};\t(comment; with text)")
    return lines


def main(out_dir: pathlib.Path = pathlib.Path(__file__).parent / "dummy_data") -> None:
    root = out_dir / "IEMOCAP_full_release"
    if root.exists():
        shutil.rmtree(root)
    for session, dialogs in DIALOGS.items():
        session_dir = root / f"Session{session}"
        evaluation = session_dir / "dialog" / "EmoEvaluation"
        for sub in ("Categorical", "Attribute", "Self-evaluation"):
            (evaluation / sub).mkdir(parents=True, exist_ok=True)
        (session_dir / "dialog" / "transcriptions").mkdir(parents=True, exist_ok=True)
        (session_dir / "sentences" / "ForcedAlignment").mkdir(parents=True, exist_ok=True)
        for d, (dialog, blocks) in enumerate(dialogs):
            lines, transcript, cat, atr = [HEADER, ""], [], [], []
            for index, (last, code, vad) in enumerate(blocks):
                utt = f"{dialog}_{last}"
                start = 3.0 + 4.5 * index
                lines += [*_label_block(utt, code, vad, start, index), ""]
                words = " ".join(WORDS[(index + k + d) % len(WORDS)] for k in range(3))
                transcript.append(f"{utt} [{start:08.4f}-{start + 2.1234:08.4f}]: {words.capitalize()}.")
                cat.append(f"{utt} :{CATEGORY[code]}; ()")
                atr.append(f"{utt} :act {round(vad[1])}; val {round(vad[0])}; dom  {round(vad[2])};  ()")
                rng = np.random.default_rng([session, d, index])
                audio = synth_corpus.synthesize_utterance(
                    _speaker(session, last[0]), SYNTH_EMOTION.get(code, "neutral"), index, rng
                )[:SAMPLES]
                _write_wav(session_dir / "sentences" / "wav" / dialog / f"{utt}.wav", audio)
            transcript.insert(1, "M: [BREATHING]")  # a non-utterance line of the transcript format
            (evaluation / f"{dialog}.txt").write_text("\n".join(lines) + "\n")
            transcript_path = session_dir / "dialog" / "transcriptions" / f"{dialog}.txt"
            transcript_path.write_text("\n".join(transcript) + "\n")
            (evaluation / "Categorical" / f"{dialog}_e1_cat.txt").write_text("\n".join(cat) + "\n")
            (evaluation / "Attribute" / f"{dialog}_e2_atr.txt").write_text("\n".join(atr) + "\n")
        # Decoy with a top-level file's name: contradicting labels and an utterance without audio.
        first_dialog, first_blocks = dialogs[0]
        decoy = [
            HEADER,
            "",
            f"[3.0000 - 5.1234]\t{first_dialog}_{first_blocks[0][0]}\tsur\t[1.0000, 1.0000, 1.0000]",
            "",
            f"[90.0000 - 91.0000]\t{first_dialog}_F099\tang\t[1.0000, 5.0000, 5.0000]",
            "",
        ]
        (evaluation / "Self-evaluation" / f"{first_dialog}.txt").write_text("\n".join(decoy) + "\n")
        (evaluation / "Self-evaluation" / "notes.txt").write_text("not a label file\n")
    # A full-dialog recording: dialog/wav/ is not utterance audio.
    _write_wav(root / "Session1" / "dialog" / "wav" / "Ses01F_impro01.wav", np.zeros(1600, np.float32))


if __name__ == "__main__":
    main()
