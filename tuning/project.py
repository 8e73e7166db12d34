"""A search's output directory: what it searches, which process holds it, and files cut short.

``serzoo tune --output-dir OUT`` writes only into a directory that is new, empty or its own. ``OUT/tune.json``
records what the directory searches (:func:`search_record`: dataset, scheme, objective, protocol, ...): a rerun
with the same options resumes it, a rerun with other options is refused with the fields that differ (the old
trials' values would be read as the new objective, their rates given to the new scheme), unless ``fresh`` starts it
again. A non-empty directory without that record (and without a search made by an older serzoo) is someone else's
and is refused, ``fresh`` or not. ``OUT/.tune.lock`` is held while a process searches there
(:func:`serzoo.staging.exclusive_lock`): a second search of the same directory is refused at once, naming the
process that holds it. A local ``--jobs`` run holds it for its chief and workers (:data:`LOCK_HELD_ENV`).

KerasTuner writes its ``oracle.json`` and ``trial.json`` files in place; :func:`check_project_files` names one that
an interruption cut short, with the fix, before KerasTuner fails on it with a bare JSON error.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import shutil

RECORD = "tune.json"
FORMAT = "serzoo-tune/1"
LOCK = ".tune.lock"
#: Set by a process holding a search's lock for the local chief it starts (:mod:`serzoo.tuning.parallel`): the path
#: it holds.
LOCK_HELD_ENV = "SERZOO_TUNE_LOCK_HELD"
#: What ``fresh`` removes from a directory of ours (everything a search, its evaluation and its reports write).
OUR_FILES = (
    "search",
    "evaluation",
    "half_*",
    "outer_*",
    "*.png",
    "report.md",
    "results.json",
    "best_hparams.json",
    "best_classifier.json",
    "base_training.json",
    RECORD,
)
_held: set[str] = set()


def search_record(
    *,
    corpus,
    scheme,
    objective,
    classifier,
    tune_classifier,
    tune_recipe,
    k,
    epochs,
    tuner,
    schedule,
    dev_groups,
    normalisation,
    fixed_options,
    classifier_options,
    executions_per_trial,
    seed,
    max_epochs,
) -> dict:
    """What one search measures: the options whose change would make its finished trials mean something else.
    (``max_trials`` may grow between runs: more trials of the same search.)"""
    return json.loads(
        json.dumps(
            {
                "dataset": f"{corpus.name}/{corpus.feature_set}",
                "scheme": scheme,
                "objective": objective,
                "classifier": classifier,
                "tune_classifier": bool(tune_classifier),
                "tune_recipe": bool(tune_recipe),
                "k": k,
                "epochs": epochs,
                "tuner": tuner,
                "max_epochs": max_epochs if tuner == "hyperband" else None,
                "schedule": schedule,
                "development_groups": list(dev_groups),
                "normalisation": normalisation,
                "options": dict(fixed_options or {}),
                "classifier_options": dict(classifier_options or {}),
                "executions_per_trial": executions_per_trial,
                "seed": seed,
            }
        )
    )


def _ours(out: pathlib.Path) -> bool:
    """Whether ``out`` holds a search of ours: the record, or a project an older serzoo wrote (no record)."""
    return (out / RECORD).is_file() or any(out.glob("search/oracle.json")) or any(out.glob("*/search/oracle.json"))


def check_ours(out) -> None:
    """Refuse an existing, non-empty ``out`` that is not a search's output directory (nothing is written)."""
    out = pathlib.Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--output-dir {out} is a file: give a new or empty folder")
    if out.is_dir() and not _ours(out):
        others = sorted(p.name for p in out.iterdir() if p.name != LOCK)
        if others:
            raise ValueError(
                f"--output-dir {out} is not empty ({', '.join(others[:5])}{', ...' if len(others) > 5 else ''}) and "
                f"holds no search ({RECORD}): serzoo tune writes its reports there, so give a new or empty folder"
            )


def claim(out, record: dict, *, fresh: bool = False, log=print) -> None:
    """Make ``out`` the directory of the search ``record`` describes, or refuse (module docstring)."""
    out = pathlib.Path(out)
    check_ours(out)
    if fresh:
        removed = [path for pattern in OUR_FILES for path in out.glob(pattern)]
        for path in removed:
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
        if removed:
            log(f"--fresh: removed the earlier search in {out} ({len(removed)} entries)")
    stored = read_record(out)
    if stored is None:
        if _ours(out):
            log(f"{out}: a search made before serzoo recorded its options; it is taken to search these")
        from serzoo.report import write_json

        write_json({"format": FORMAT, "search": record}, out / RECORD)
    elif stored != record:
        raise ValueError(different(out, stored, record))


def read_record(out) -> dict | None:
    """The ``search`` object of ``out/tune.json`` (None if there is none); errors name the file."""
    path = pathlib.Path(out) / RECORD
    if not path.is_file():
        return None
    data = read_json(path, f"delete {path.parent} or pass --fresh")
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("search"), dict):
        raise ValueError(f"{path}: not a search record of format {FORMAT!r}; pass --fresh to start the search again")
    return data["search"]


def different(out, stored: dict, record: dict) -> str:
    """The refusal of a rerun whose options differ from those ``out`` was searched with."""
    changed = [
        f"{name} {json.dumps(stored.get(name))} -> {json.dumps(record.get(name))}"
        for name in sorted(set(stored) | set(record))
        if stored.get(name) != record.get(name)
    ]
    return (
        f"{out} holds a search with other options ({'; '.join(changed)}): its trials were measured with those. "
        "Rerun with the recorded options to resume it, give another --output-dir, or pass --fresh to discard it"
    )


def verify(out, record: dict) -> None:
    """Refuse to join (as a worker, or to report) a search of ``out`` recorded with other options."""
    stored = read_record(out)
    if stored is not None and stored != record:
        raise ValueError(different(out, stored, record))


@contextlib.contextmanager
def holding(out):
    """Hold ``out``'s search lock for this process (re-entrant; a no-op where a parent holds it for us)."""
    from serzoo.staging import exclusive_lock

    key = str(pathlib.Path(out).resolve())
    if key in _held or os.environ.get(LOCK_HELD_ENV) == key:
        yield
        return
    check_ours(out)  # before the lock file is created in someone else's folder
    message = f"another serzoo tune is searching in {out}: wait for it to end, or give another --output-dir"
    with exclusive_lock(pathlib.Path(out) / LOCK, message, wait=False):
        _held.add(key)
        try:
            yield
        finally:
            _held.discard(key)


def read_json(path, fix: str):
    """The JSON in ``path``; a file cut short or not JSON is named with ``fix``."""
    path = pathlib.Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{path} is not valid JSON ({err}): cut short by an interrupted write? {fix}") from err


def check_project_files(project, log=print) -> None:
    """Check the JSON files KerasTuner reloads from ``project`` (``<output-dir>/search``) before it does.

    A ``trial_<id>/trial.json`` cut short (a kill while KerasTuner wrote it) loses that trial's result only: it is
    rewritten as a failed trial saying so (KerasTuner numbers trials by count, so the trial must stay), said in one
    line; the search runs another in its place. An ``oracle.json`` cut short holds the search's state: refused,
    naming the file and ``--fresh``."""
    from keras_tuner.engine.hyperparameters import HyperParameters
    from keras_tuner.engine.trial import Trial

    from serzoo.report import atomic_path

    project = pathlib.Path(project)
    oracle_file = project / "oracle.json"
    fix = "the search's state is lost: pass --fresh (or give another --output-dir) to search again"
    oracle = read_json(oracle_file, fix) if oracle_file.is_file() else None
    if oracle is not None and not (isinstance(oracle, dict) and isinstance(oracle.get("hyperparameters"), dict)):
        raise ValueError(f"{oracle_file} is not KerasTuner's oracle state: {fix}")
    for path in sorted(project.glob("trial_*/trial.json")):
        try:
            read_json(path, "")
        except ValueError:
            trial_id = path.parent.name.removeprefix("trial_")
            space = HyperParameters.from_config(oracle["hyperparameters"]) if oracle else HyperParameters()
            reason = f"its {path.name} was cut short by an interruption; its result is lost"
            with atomic_path(path) as tmp:
                Trial(space, trial_id=trial_id, status="FAILED", message=f"FailedTrialError: {reason}").save(str(tmp))
            log(f"{path} was cut short by an interruption: trial {trial_id} counts as failed, another runs instead")
