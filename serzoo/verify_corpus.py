"""Check a corpus copy before building it: layout, labels and counts, without extracting features.

Uses the TFDS builders' own parsing functions (:func:`serzoo.builders.builder_module`),
so a copy that verifies is a copy that builds. Counts are printed beside the published ones;
anything missing (sessions, speakers, labelled files without audio) or extra (audio without a
label, unknown file names) is named. Every WAV is read once and checked as the build checks it
(:func:`serzoo.audio.check_file`: truncated, unreadable, too short, NaN/inf, beyond full scale,
digital silence), and identical recordings under two names are listed (about 1 s for EmoDB's 535 files).

Example:
    >>> report = verify_corpus("iemocap", "/data/IEMOCAP")   # doctest: +SKIP
    >>> report.ok                                            # doctest: +SKIP
    True

Reference counts: Busso et al. 2008 (IEMOCAP; 4490 / 5531 four-class as used since Mirsamadi
et al. 2017), Sahu et al. 2018 (MSP-IMPROV four classes), Burkhardt et al. 2005 (EmoDB), Livingstone &
Russo 2018 (RAVDESS speech: 24 actors x 60 files), Costantini et al. 2014 (EMOVO: 6 actors x 7 emotions x
14 sentences).
"""

from __future__ import annotations

import collections
import dataclasses
import pathlib
import sys
from collections.abc import Iterable

from serzoo.builders import builder_module

CORPORA = ("iemocap", "msp_improv", "emodb", "ravdess", "emovo")
#: EmoDB's published counts (Burkhardt et al. 2005, the corpus's documentation): per class and per speaker.
EMODB_PUBLISHED = {
    "total": 535,
    "classes": {"anger": 127, "boredom": 81, "neutral": 79, "happiness": 71, "fear": 69, "sadness": 62, "disgust": 46},
    "speakers": {"03": 49, "08": 58, "09": 43, "10": 38, "11": 55, "12": 35, "13": 61, "14": 69, "15": 56, "16": 71},
}
#: RAVDESS speech's published design (Livingstone & Russo 2018): 60 files per actor, neutral at normal intensity
#: only (4 files per actor), the 7 other emotions at both (8 each)
RAVDESS_PUBLISHED = {
    "total": 1440,
    "classes": {
        "neutral": 96,
        "calm": 192,
        "happiness": 192,
        "sadness": 192,
        "anger": 192,
        "fear": 192,
        "disgust": 192,
        "surprise": 192,
    },
    "intensity": {"normal": 768, "strong": 672},
    "actors": {f"{n:02d}": 60 for n in range(1, 25)},
}
#: EMOVO's published design (Costantini et al. 2014): 6 actors x 7 emotions x 14 sentences
EMOVO_PUBLISHED = {
    "total": 588,
    "classes": dict.fromkeys(("disgust", "happiness", "neutral", "fear", "anger", "surprise", "sadness"), 84),
    "actors": dict.fromkeys(("f1", "f2", "f3", "m1", "m2", "m3"), 98),
    "sentence": dict.fromkeys(("b1", "b2", "b3", "l1", "l2", "l3", "l4", "n1", "n2", "n3", "n4", "n5", "d1", "d2"), 42),
}
_LISTED = 20  # longest list of missing/extra items printed in full


@dataclasses.dataclass(frozen=True)
class Count:
    """One count of the corpus copy beside its published value (None: nothing published)."""

    what: str
    found: int
    published: int | None = None

    @property
    def matches(self) -> bool | None:
        return None if self.published is None else self.found == self.published


@dataclasses.dataclass
class CorpusReport:
    """Outcome of :func:`verify_corpus`.

    Attributes:
        corpus: ``iemocap``, ``msp_improv`` or ``emodb``.
        root: the corpus folder found in the manual dir (or the manual dir if none was found).
        counts: counts of utterances per scheme, class, session, speaker, beside published ones.
        missing: what the layout needs but the copy lacks (folders, speakers, audio of labels).
        extra: what the copy has but the corpus does not label (audio without label, bad names).
        errors: label files or names the builder would refuse (``file:line`` and the fix).
        notes: facts worth knowing (sample rates, rater-line duplicates, file-name spellings).
    """

    corpus: str
    root: str
    counts: list[Count] = dataclasses.field(default_factory=list)
    missing: list[str] = dataclasses.field(default_factory=list)
    extra: list[str] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def layout_ok(self) -> bool:
        """True when the builder can build this copy (nothing missing, no errors)."""
        return not self.missing and not self.errors

    @property
    def mismatches(self) -> list[Count]:
        return [c for c in self.counts if c.matches is False]

    @property
    def ok(self) -> bool:
        """Layout OK, nothing extra, and every published count matches."""
        return self.layout_ok and not self.extra and not self.mismatches

    def count(self, what: str) -> int:
        """The found value of the count named ``what`` (KeyError if there is none)."""
        for c in self.counts:
            if c.what == what:
                return c.found
        raise KeyError(f"no count {what!r} in the {self.corpus} report")

    def format(self) -> str:
        """The report as text: a count table, then missing / extra / errors / notes."""
        width = max([len(c.what) for c in self.counts] + [5])
        lines = [f"{self.corpus} at {self.root}", f"  {'count':<{width}}  {'found':>7}  {'published':>9}"]
        for c in self.counts:
            flag = {True: "ok", False: "DIFFERS", None: ""}[c.matches]
            published = "-" if c.published is None else str(c.published)
            lines.append(f"  {c.what:<{width}}  {c.found:>7}  {published:>9}  {flag}".rstrip())
        for title, items in (
            ("Missing", self.missing),
            ("Extra", self.extra),
            ("Errors", self.errors),
            ("Notes", self.notes),
        ):
            lines.append(f"{title}: {len(items) if items else 'none'}")
            lines += [f"  - {item}" for item in items]
        verdict = "layout OK" if self.layout_ok else "layout NOT OK (the builder will fail)"
        differ = len(self.mismatches)
        lines.append(
            f"Result: {verdict}; {differ} count(s) differ from the published ones; {len(self.extra)} extra item(s)."
        )
        return "\n".join(lines)

    __str__ = format


def verify_corpus(name: str, manual_dir, *, echo: bool = True, stream=None) -> CorpusReport:
    """Check the copy of corpus ``name`` in ``manual_dir`` (the folder given to the builder).

    Args:
        name: one of :data:`CORPORA`.
        manual_dir: the manual dir of the TFDS build (``IEMOCAP_full_release``'s parent or
            itself; the folder with MSP-IMPROV's ``Evaluation.txt``; EmoDB's folder with ``wav/``;
            RAVDESS's with ``Actor_01/`` ...; EMOVO's with ``f1/`` ...).
        echo: print the report (to ``stream``, default stdout).

    Returns:
        The :class:`CorpusReport`; ``report.layout_ok`` says whether the builder can build it,
        ``report.ok`` whether it also matches the published counts with nothing extra.

    Raises:
        ValueError: unknown corpus name.
    """
    checks = {
        "iemocap": _verify_iemocap,
        "msp_improv": _verify_msp_improv,
        "emodb": _verify_emodb,
        "ravdess": _verify_ravdess,
        "emovo": _verify_emovo,
    }
    if name not in checks:
        raise ValueError(f"unknown corpus {name!r}; verify_corpus knows {', '.join(CORPORA)}")
    report = checks[name](pathlib.Path(manual_dir))
    if echo:
        print(report.format(), file=stream or sys.stdout)
    return report


def _listed(items: list[str], what: str) -> list[str]:
    if len(items) <= _LISTED:
        return items
    return [*items[:_LISTED], f"... and {len(items) - _LISTED} more {what}"]


def _audio_checks(paths: Iterable, report: CorpusReport, builder) -> None:
    """Read and check every WAV as the build does: bad files are errors, identical audio an error where
    ``builder`` refuses it (else extra; the release's own duplicates a note), sample rates other than 16 kHz and
    multi-channel files a note."""
    import concurrent.futures
    import os

    from serzoo import audio

    rates: collections.Counter = collections.Counter()
    channels: collections.Counter = collections.Counter()
    good, hashes = [], []
    paths = list(paths)
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count()) as pool:  # soundfile and hashlib release the GIL
        checks = list(pool.map(audio.check_file, paths))
    for path, check in zip(paths, checks):
        if check.problem:
            report.errors.append(f"{check.problem} (the builder refuses it)")
            continue
        rates[check.sample_rate] += 1
        channels[check.channels] += 1
        good.append(path)
        hashes.append(check.content_hash)
    released, groups = builder.released_duplicates(audio.duplicate_groups(good, hashes))
    report.notes += [
        f"identical audio, as in the official release: {' = '.join(str(p) for p in group)}; the builder keeps "
        f"both and warns: {builder.released_reason(group)}"
        for group in released
    ]
    if groups and builder.DUPLICATE_AUDIO_IS_ERROR:
        report.errors.append(f"{audio.duplicates_message(groups)}\n  The builder refuses them: keep one of each.")
    elif groups:
        report.extra.append(f"{audio.duplicates_message(groups)}\n  The builder keeps both and warns.")
    if rates:
        listed = ", ".join(f"{rate} Hz x {n}" for rate, n in sorted(rates.items()))
        resampled = ""
        if set(rates) != {16000}:
            resampled = " (files not at 16 kHz are resampled to 16 kHz by the builder)"
        report.notes.append(f"sample rates: {listed}{resampled}")
    if set(channels) - {1}:
        listed = ", ".join(f"{n} x {count}" for n, count in sorted(channels.items()))
        how = (
            "mixes them down to mono: the mean of the channels"
            if builder.AUDIO_CHANNEL is None
            else f"reads channel {builder.AUDIO_CHANNEL} of each file alone, counted from 0"
        )
        report.notes.append(f"channels: {listed} (the builder {how})")


def _labelled_wavs(scan) -> list:
    """The WAVs a rated corpus's builder reads: every WAV of the scan but the unlabelled ones it skips."""
    skipped = set(scan.unlabelled_wavs)
    return [path for path in scan.wavs.values() if path not in skipped]


def _per_session(report: CorpusReport, sessions, scan) -> list:
    """``scan(session)`` for every session; a missing session goes to ``report.missing``, a malformed one to
    ``report.errors`` (the scan goes on, so one report lists every problem)."""
    results = []
    for session in sessions:
        try:
            results.append(scan(session))
        except FileNotFoundError as err:
            report.missing.append(str(err))
        except ValueError as err:
            report.errors.append(str(err))
    return results


def _located(name: str, manual_dir, locate) -> tuple[CorpusReport, pathlib.Path | None]:
    """A new report and ``locate(manual_dir)`` (the corpus root), or ``None`` with the problem recorded: a
    missing folder under ``missing``, an ambiguous or malformed one under ``errors``."""
    report = CorpusReport(name, str(manual_dir))
    try:
        root = locate(manual_dir)
    except FileNotFoundError as err:
        report.missing.append(str(err))
        return report, None
    except ValueError as err:
        report.errors.append(str(err))
        return report, None
    report.root = str(root)
    return report, root


def _verify_iemocap(manual_dir: pathlib.Path) -> CorpusReport:
    iemocap = builder_module("iemocap")

    report, root = _located("iemocap", manual_dir, iemocap.corpus_root)
    if root is None:
        return report
    scans = _per_session(report, iemocap.SESSIONS, lambda session: iemocap.scan_session(root, session))
    try:
        scan = iemocap.join_sessions(root, scans)
    except ValueError as err:
        report.errors.append(str(err))
        return report
    labels, published = scan.labels, iemocap.PUBLISHED
    codes = collections.Counter(r.code for r in labels)
    four = iemocap.scheme_counts(labels, "four_class")
    four_exc = iemocap.scheme_counts(labels, "four_class_exc")
    report.counts += [
        Count("utterances (all codes)", len(labels), published["total"]),
        Count("four_class (ang/hap/sad/neu)", sum(four.values()), published["four_class"]),
        Count("four_class_exc (exc merged into hap)", sum(four_exc.values()), published["four_class_exc"]),
        *(Count(f"code {code}", codes[code], n) for code, n in published["codes"].items()),
        Count("improvised", sum(r.name.improvised for r in labels)),
        Count("scripted", sum(not r.name.improvised for r in labels)),
    ]
    sessions = collections.Counter(r.name.session for r in labels)
    report.counts += [Count(f"session{s}", sessions[int(s)]) for s in iemocap.SESSIONS]
    speakers = collections.Counter(r.name.speaker for r in labels)
    report.counts += [Count(f"speaker {s}", speakers[s]) for s in iemocap.SPEAKERS]
    report.missing += [f"speaker {s}: no labelled utterance" for s in iemocap.SPEAKERS if not speakers[s]]
    report.missing += _listed(
        [f"{r.utterance_id}.wav (labelled at {r.source}) is missing" for r in scan.missing_wavs],
        "labelled utterances without WAV",
    )
    unknown = sorted(set(speakers) - set(iemocap.SPEAKERS))
    report.extra += [f"speaker {s}: not an IEMOCAP speaker" for s in unknown]
    report.extra += _listed(
        [f"{p}: WAV without a label (the builder skips it)" for p in scan.unlabelled_wavs], "unlabelled WAVs"
    )
    missing_dom = sum(1 for r in labels for a in r.attributes if a[3] != a[3])
    report.notes.append(
        f"{missing_dom} A- rater line(s) without a parsable dominance (not used: "
        "the builder takes the consensus [V, A, D])"
    )
    _audio_checks(_labelled_wavs(scan), report, iemocap.Builder)
    return report


def _verify_msp_improv(manual_dir: pathlib.Path) -> CorpusReport:
    msp = builder_module("msp_improv")

    report, root = _located("msp_improv", manual_dir, msp.corpus_root)
    if root is None:
        return report
    try:
        label_path = msp.label_file(root)
    except FileNotFoundError as err:
        report.missing.append(str(err))
        return report
    if label_path.name != "Evaluation.txt":
        report.notes.append(f"label file spelled {label_path.name} (accepted)")
    try:
        labels = msp.parse_evaluation_file(label_path)
    except ValueError as err:
        report.errors.append(str(err))
        labels = []
    wavs = {}
    for found in _per_session(report, msp.SESSIONS, lambda session: msp.session_wavs(root, session)):
        wavs.update(found)
    try:
        scan = msp.join(root, labels, wavs)
    except ValueError as err:
        report.errors.append(str(err))
        return report
    four = msp.scheme_counts(labels, "four_class")
    everything = msp.scheme_counts(labels, "all")
    report.counts += [
        Count("consensus lines (all codes)", len(labels)),
        Count("four_class (A/H/S/N)", sum(four.values()), msp.PUBLISHED["four_class"]),
        *(Count(f"class {name}", n, msp.PUBLISHED["classes"][name]) for name, n in four.items()),
        *(Count(f"class {name}", everything[name]) for name in everything if name not in four),
    ]
    names = {}
    for record in labels:
        try:
            names[record.clip_id] = msp.parse_clip_name(record.clip_id)
        except ValueError as err:
            report.errors.append(f"{record.source}: {err}")
    sessions = collections.Counter(n.session for n in names.values())
    speakers = collections.Counter(n.speaker for n in names.values())
    types = collections.Counter(n.recording_type for n in names.values())
    report.counts += [Count(f"session{s}", sessions[int(s)]) for s in msp.SESSIONS]
    report.counts += [Count(f"speaker {s}", speakers[s]) for s in msp.SPEAKERS]
    report.counts += [Count(f"recording type {t}", types[t]) for t in msp.RECORDING_TYPES.values()]
    report.missing += [f"speaker {s}: no labelled clip" for s in msp.SPEAKERS if not speakers[s]]
    report.missing += _listed(
        [f"{r.clip_id}.wav (labelled at {r.source}) is missing" for r in scan.missing_wavs],
        "labelled clips without WAV",
    )
    unknown = sorted(set(speakers) - set(msp.SPEAKERS))
    report.extra += [f"speaker {s}: not an MSP-IMPROV speaker" for s in unknown]
    report.extra += _listed(
        [f"{p}: WAV without a consensus line (the builder skips it)" for p in scan.unlabelled_wavs],
        "unlabelled WAVs",
    )
    duplicates = sum(r.duplicate_rater_lines for r in labels)
    with_nan = sum(1 for r in labels if any(v != v for v in (r.activation, r.valence, r.dominance)))
    report.notes.append(f"{duplicates} duplicate (clip, rater) line(s), counted once")
    report.notes.append(f"{with_nan} clip(s) with a NaN A/V/D consensus (attribute class -1 = no label)")
    _audio_checks(_labelled_wavs(scan), report, msp.Builder)
    return report


def _verify_emodb(manual_dir: pathlib.Path) -> CorpusReport:
    from serzoo.emotions import EMODB_CLASSES

    emodb = builder_module("emodb")

    report, folder = _located("emodb", manual_dir, emodb.audio_folder)  # (both wav/ and wav_corpus/: an error)
    if folder is None:
        return report
    utterances = []
    for path in emodb.wav_files(folder):
        try:
            utterances.append(emodb.parse_file_name(path))
        except ValueError as err:
            report.extra.append(f"{err} (the builder refuses it)")
    ids = collections.Counter(u.utterance_id for u in utterances)
    report.errors += [
        f"utterance {i}: {n} files whose names differ only in the suffix's case (the builder "
        "refuses it); remove all but one"
        for i, n in ids.items()
        if n > 1
    ]
    upper = [u.path.name for u in utterances if u.path.suffix != ".wav"]
    if upper:
        report.notes.append(
            f"{len(upper)} file(s) with an upper-case suffix (read like .wav): " + ", ".join(_listed(upper, "files"))
        )
    classes = collections.Counter(u.label for u in utterances)
    speakers = collections.Counter(u.speaker for u in utterances)
    published = EMODB_PUBLISHED
    report.counts += [
        Count("utterances", len(utterances), published["total"]),
        *(Count(f"class {c}", classes[c], published["classes"][c]) for c in EMODB_CLASSES),
        *(Count(f"speaker {s}", speakers[s], published["speakers"][s]) for s in emodb.SPEAKERS),
    ]
    report.missing += [
        f"speaker {s}: no file (split speaker{s} would be empty)" for s in emodb.SPEAKERS if not speakers[s]
    ]
    _audio_checks([u.path for u in utterances], report, emodb.Builder)
    return report


def _verify_actor_folders(name: str, manual_dir: pathlib.Path, published: dict, fields: tuple) -> CorpusReport:
    """A corpus stored as one folder per actor, labels in the file names (RAVDESS, EMOVO): the builder's own
    scan, counts per class, actor and value of each of the example's extra ``fields``."""
    module = builder_module(name)
    report, root = _located(name, manual_dir, module.corpus_root)
    if root is None:
        return report
    scan = module.scan_corpus(root)
    report.missing += scan.missing
    report.errors += [f"{problem} (the builder refuses it)" for problem in _listed(scan.problems, "files")]
    utterances = scan.utterances
    classes = collections.Counter(u.label for u in utterances)
    actors = collections.Counter(u.speaker for u in utterances)
    report.counts += [
        Count("utterances", len(utterances), published["total"]),
        *(Count(f"class {c}", classes[c], n) for c, n in published["classes"].items()),
        *(Count(f"actor {a}", actors[a], n) for a, n in published["actors"].items()),
    ]
    for field in fields:
        values = collections.Counter(u.extra[field] for u in utterances)
        report.counts += [Count(f"{field} {v}", values[v], n) for v, n in published[field].items()]
    _audio_checks([u.path for u in utterances], report, module.Builder)
    return report


def _verify_ravdess(manual_dir: pathlib.Path) -> CorpusReport:
    return _verify_actor_folders("ravdess", manual_dir, RAVDESS_PUBLISHED, ("intensity",))


def _verify_emovo(manual_dir: pathlib.Path) -> CorpusReport:
    return _verify_actor_folders("emovo", manual_dir, EMOVO_PUBLISHED, ("sentence",))
