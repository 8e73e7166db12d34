"""Integration: the real RAVDESS and EMOVO (SERZOO_RAVDESS_DIR, SERZOO_EMOVO_DIR; skipped when unset or absent).

Verification against the published counts (every file read and checked, no features), the stereo files, and
(slow, --runslow) full builds.
"""

import collections

import numpy as np
import pytest
import soundfile

from serzoo import audio
from serzoo.tfds_builders import testing
from serzoo.tfds_builders.emovo import emovo_dataset_builder as emovo
from serzoo.tfds_builders.ravdess import ravdess_dataset_builder as ravdess
from serzoo.verify_corpus import verify_corpus

pytestmark = pytest.mark.integration
PAIR = sorted(ravdess.KNOWN_DUPLICATE)


def test_real_ravdess_matches_the_published_counts(real_ravdess_dir):
    report = verify_corpus("ravdess", real_ravdess_dir, echo=False)
    assert report.ok, report.format()
    assert report.count("utterances") == 1440 and report.count("class neutral") == 96
    assert report.count("class surprise") == 192 and report.count("actor 07") == 60
    duplicate = [n for n in report.notes if n.startswith("identical audio, as in the official release")]
    assert len(duplicate) == 1 and all(f"Actor_07/{stem}.wav" in duplicate[0] for stem in PAIR)
    assert "channels: 1 x 1435, 2 x 5 (the builder mixes them down to mono: the mean of the channels)" in report.notes
    assert "sample rates: 48000 Hz x 1440 (files not at 16 kHz are resampled to 16 kHz by the builder)" in report.notes


def test_real_emovo_matches_the_published_counts(real_emovo_dir):
    report = verify_corpus("emovo", real_emovo_dir, echo=False)
    assert report.ok, report.format()
    assert report.count("utterances") == 588 and report.count("class happiness") == 84
    assert report.count("actor m3") == 98 and report.count("sentence d2") == 42
    assert "channels: 1 x 1, 2 x 587 (the builder reads channel 0 of each file alone, counted from 0)" in report.notes


def test_real_ravdess_stereo_files_are_one_signal_twice_so_the_mean_is_exact(real_ravdess_dir):
    stereo = [p for p in sorted(real_ravdess_dir.glob("Actor_*/*.wav")) if soundfile.info(p).channels == 2]
    assert len(stereo) == 5
    for path in stereo:
        both, _ = soundfile.read(path, dtype="int16")
        np.testing.assert_array_equal(both[:, 0], both[:, 1])
        mixed = audio.read_audio(path)
        assert mixed.dtype == np.float32 and mixed.shape == (-(-both.shape[0] // 3),)  # 48 kHz -> 16 kHz
        np.testing.assert_array_equal(mixed, audio.read_audio(path, channel=0))


def test_real_emovo_channels_are_two_microphones_so_one_is_read(real_emovo_dir):
    """The second channel lags the first by 11-43 samples (the claim behind ``AUDIO_CHANNEL = 0``; one file per
    actor), except in f1's neutral files, whose two channels are equal; the first channel is read, at 16 kHz."""
    from scipy.signal import correlate

    assert emovo.Builder.AUDIO_CHANNEL == 0
    equal = []
    for path in sorted(real_emovo_dir.glob("*/*.wav")):
        both, _ = soundfile.read(path, dtype="int16", always_2d=True)
        if both.shape[1] == 2 and np.array_equal(both[:, 0], both[:, 1]):
            equal.append(path.stem)
    assert len(equal) == 13 and all(stem.startswith("neu-f1-") for stem in equal)
    for actor in emovo.ACTORS:
        path = real_emovo_dir / actor / f"tri-{actor}-l1.wav"
        both, rate = soundfile.read(path, dtype="float32")
        first, second = both[: 3 * rate, 0], both[: 3 * rate, 1]
        lag = int(np.argmax(correlate(second, first, mode="full", method="fft"))) - (first.size - 1)
        assert 11 <= lag <= 43, (path, lag)
        signal = audio.read_audio(path, channel=0)
        assert signal.shape == (-(-both.shape[0] // 3),)
        assert not np.allclose(signal, audio.read_audio(path), atol=1e-3)


BUILDS = {  # corpus: (builder, files per actor, per class, the warnings' marker of the released duplicate)
    "ravdess": (ravdess.Builder, 60, {c: 96 if c == "neutral" else 192 for c in ravdess.RAVDESS_CLASSES}, PAIR),
    "emovo": (emovo.Builder, 98, dict.fromkeys(emovo.EMOVO_CLASSES, 84), []),
}


@pytest.mark.slow
@pytest.mark.parametrize("corpus", BUILDS)
def test_real_build_has_every_file_and_warns_only_about_the_released_duplicate(corpus, request, tmp_path):
    builder_class, per_actor, per_class, duplicate = BUILDS[corpus]
    manual_dir = request.getfixturevalue(f"real_{corpus}_dir")
    builder, rows, warnings = testing.build_logged(builder_class, "egemaps", manual_dir, tmp_path / "data")
    assert {s: builder.info.splits[s].num_examples for s in builder.group_splits()} == dict.fromkeys(
        builder.group_splits(), per_actor
    )
    labels = collections.Counter(builder.info.features["label"].int2str(r["label"]) for r in rows.values())
    assert labels == per_class and len(rows) == sum(per_class.values())
    assert len(warnings) == (1 if duplicate else 0)
    assert all(f"{stem}.wav" in warnings[0] for stem in duplicate) and set(duplicate) <= set(rows)
    assert all(r["features"].shape == (88,) and np.isfinite(r["features"]).all() for r in rows.values())
