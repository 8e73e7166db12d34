"""``serzoo tune`` end to end: search on the development speakers, then evaluate on the evaluation speakers.

1. The corpus's groups are split into development and evaluation groups (:func:`serzoo.data.speaker_halves`:
   EmoDB's documented gender-balanced halves, or ``--dev-groups``). The search sees the development groups only,
   by inner leave-one-speaker-out (:mod:`serzoo.tuning.objectives`).
2. KerasTuner searches (:mod:`serzoo.tuning.tuners`); the project directory ``<output>/search`` resumes an interrupted
   search; in distributed mode a chief serves the oracle and workers run trials.
3. The best trial becomes ``best_hparams.json`` (:mod:`serzoo.hparams`; a classifier-only search,
   ``--scheme none``: ``best_classifier.json``), with a report of every trial.
4. Evaluation: on each evaluation speaker's leave-one-speaker-out fold (generator and classifier trained on all
   other speakers, development ones included), over ``eval_seeds``: the classifier with no augmentation, with
   the scheme at its untuned schedule, with the tuned setting, and with the non-neural baselines, all at the same
   k (fixed in advance, or the one the search chose on development speakers), and (DNN) the unaugmented DNN with
   the optimizer updates of k sets (``none_matched``, the baseline of ``utility``). A classifier-only search
   compares the tuned classifier with its defaults on real data. Resumable (``<output>/evaluation``).
"""

from __future__ import annotations

import contextlib
import json
import pathlib

import numpy as np

from serzoo.schedules import schedule_keyword
from serzoo.tuning.objectives import OBJECTIVES, InnerFolds, kt_objective

#: The evaluation's unaugmented DNN trained with the optimizer updates of k synthetic sets.
MATCHED_NONE = "none_matched"
#: Where a search's ``--output-dir`` keeps its evaluation's unit stores.
EVALUATION_DIR = "evaluation"


#: Seconds a worker waits for its chief to answer (KerasTuner's own client waits an hour), ``--oracle-timeout``.
ORACLE_TIMEOUT = 600


class SearchFailedError(RuntimeError):
    """No trial of a search completed; the message gives the first trial's error."""


def check_search_options(
    *, max_trials, executions_per_trial, max_failures, max_epochs, jobs, baselines, eval_seeds
) -> None:
    """Refuse search options that would run forever, run nothing, or fail only after the search (before any work)."""
    from serzoo.augmenters import BASELINES

    for flag, value in (
        ("--max-trials", max_trials),
        ("--executions-per-trial", executions_per_trial),
        ("--max-failures", max_failures),
        ("--max-epochs", max_epochs),
        ("--jobs", jobs),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{flag} must be a positive integer, got {value!r}")
    unknown = [name for name in baselines if name not in BASELINES]
    if unknown:
        raise ValueError(
            f"--baselines {','.join(unknown)}: unknown; the evaluation's baselines are {', '.join(BASELINES)}"
        )
    if not list(eval_seeds):
        raise ValueError("--eval-seeds is empty: give at least one seed, e.g. 0,1,2")


@contextlib.contextmanager
def open_search(out, record: dict, *, join: bool = False, fresh: bool = False, log=print):
    """Hold ``out`` for the search ``record`` describes (:mod:`serzoo.tuning.project`): lock it, claim it (or refuse),
    and check the files KerasTuner will reload. ``join`` (a worker, or ``--report-only``): only check that ``out``
    holds this search, without the lock. Re-entrant in one process."""
    from serzoo.tuning import project

    if join:
        project.verify(out, record)
        yield
        return
    with project.holding(out):
        project.claim(out, record, fresh=fresh, log=log)
        project.check_project_files(pathlib.Path(out) / "search", log)
        yield


def build_search(
    *,
    corpus,
    scheme,
    objective="utility",
    classifier="dnn",
    tune_classifier=False,
    tune_recipe=False,
    k=10,
    epochs=None,
    tuner="bayesian",
    schedule="serzoo",
    dev_groups=None,
    normalisation="global",
    fixed_options=None,
    classifier_options=None,
    with_folds=True,
    base=None,
):
    """(hypermodel, development groups, evaluation groups) of a search on ``corpus`` (``base``: the
    :class:`serzoo.schedules.Training` trials start from, default ``schedule``'s)."""
    from serzoo.data import speaker_halves
    from serzoo.schedules import training_for
    from serzoo.tuning.hypermodel import AugmentationHyperModel

    if objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}; choose one of: {', '.join(OBJECTIVES)}")
    if scheme is None and objective != "uar":
        raise ValueError("--scheme none tunes the classifier alone: use --objective uar")
    if scheme is not None and objective == "uar":
        raise ValueError("--objective uar measures the classifier alone: use it with --scheme none")
    dev, evaluation = speaker_halves(corpus, dev_groups)
    folds = InnerFolds(corpus.subset(dev), normalisation) if with_folds else None
    input_dim = folds.folds[0].x_train.shape[1] if folds else corpus.select(dev).x.shape[1]
    hypermodel = AugmentationHyperModel(
        scheme,
        input_dim=input_dim,
        n_classes=corpus.n_classes,
        folds=folds,
        objective=objective,
        classifier=classifier,
        tune_classifier=tune_classifier,
        tune_recipe=tune_recipe,
        k=k,
        epochs=epochs,
        epochs_from_budget=tuner == "hyperband" and epochs is None,
        base=base or (training_for(scheme, schedule) if scheme else None),
        fixed_options=fixed_options,
        classifier_options=classifier_options,
    )
    return hypermodel, dev, evaluation


def show_space(hypermodel) -> str:
    """The declared search space as a Markdown table."""
    import keras_tuner as kt

    from serzoo.tuning.space import describe_space

    hp = kt.HyperParameters()
    hypermodel.build(hp)
    return describe_space(hp)


@schedule_keyword
def run_search(
    *,
    corpus,
    scheme,
    output_dir,
    objective="utility",
    tuner="bayesian",
    max_trials=30,
    executions_per_trial=1,
    seed=0,
    classifier="dnn",
    tune_classifier=False,
    tune_recipe=False,
    k=10,
    epochs=None,
    max_epochs=400,
    schedule="serzoo",
    dev_groups=None,
    normalisation="global",
    role=None,
    oracle=None,
    tuner_id=None,
    evaluate=True,
    eval_seeds=(0, 1, 2),
    baselines=("smote", "noise"),
    jobs=1,
    max_failures=3,
    fixed_options=None,
    classifier_options=None,
    eval_groups=None,
    compare_untuned=True,
    report_only=False,
    reuse_baselines=None,
    fresh=False,
    oracle_timeout=ORACLE_TIMEOUT,
    log=print,
) -> dict:
    """Search, write ``best_hparams.json`` and the report, then evaluate (see the module docstring).

    ``eval_groups`` evaluates on some of the evaluation groups only (a quick check); ``compare_untuned=False``
    leaves the untuned scheme out of the evaluation; ``report_only`` runs no trial and no evaluation and reports
    the trials finished so far (of a search still running elsewhere); ``reuse_baselines`` (another search's output
    directory) takes the finished no-augmentation and baseline units of its evaluation instead of computing them
    again (:func:`evaluate_setting`). ``output_dir`` must be new, empty or this search's (:mod:`serzoo.tuning.project`:
    a rerun with other options is refused unless ``fresh``); a worker waits ``oracle_timeout`` seconds at most for
    its chief. Returns the JSON-ready result (a worker returns the trials it ran). Raises :class:`SearchFailedError`
    if no trial completed.
    """
    from serzoo.data import speaker_halves
    from serzoo.tuning.project import search_record
    from serzoo.tuning.tuners import current_role

    if reuse_baselines:
        baselines_source(reuse_baselines)
    check_search_options(
        max_trials=max_trials,
        executions_per_trial=executions_per_trial,
        max_failures=max_failures,
        max_epochs=max_epochs,
        jobs=jobs,
        baselines=baselines,
        eval_seeds=eval_seeds,
    )
    out = pathlib.Path(output_dir)
    dev, evaluation = speaker_halves(corpus, dev_groups)
    within_evaluation(eval_groups, evaluation)
    record = search_record(
        corpus=corpus,
        scheme=scheme,
        objective=objective,
        classifier=classifier,
        tune_classifier=tune_classifier,
        tune_recipe=tune_recipe,
        k=k,
        epochs=epochs,
        tuner=tuner,
        schedule=schedule,
        dev_groups=dev,
        normalisation=normalisation,
        fixed_options=fixed_options,
        classifier_options=classifier_options,
        executions_per_trial=executions_per_trial,
        seed=seed,
        max_epochs=max_epochs,
    )
    joining = (role or current_role()) == "worker" or report_only
    with open_search(out, record, join=joining, fresh=fresh, log=log):
        from serzoo.tuning.tuners import (
            chief_errors,
            distributed_role,
            forget_finished_retries,
            make_tuner,
            trial_summary,
            wait_for_chief,
        )

        with distributed_role(role, oracle, tuner_id) as where:
            if where == "worker":
                wait_for_chief(oracle_timeout, log)
            base = search_base(out, scheme, schedule, log) if scheme else None
            hypermodel, dev, evaluation = build_search(
                base=base,
                corpus=corpus,
                scheme=scheme,
                objective=objective,
                classifier=classifier,
                tune_classifier=tune_classifier,
                tune_recipe=tune_recipe,
                k=k,
                epochs=epochs,
                tuner=tuner,
                schedule=schedule,
                dev_groups=dev_groups,
                normalisation=normalisation,
                fixed_options=fixed_options,
                classifier_options=classifier_options,
                with_folds=where != "chief",
            )
            log(
                f"{corpus.name}/{corpus.feature_set}: search on development groups {dev} (inner leave-one-out); "
                f"evaluation groups {evaluation}; {tuner}, objective {objective}, role {where}"
            )
            search = make_tuner(
                tuner,
                hypermodel,
                kt_objective(objective),
                directory=out,
                project_name="search",
                max_trials=max_trials,
                executions_per_trial=executions_per_trial,
                seed=seed,
                max_epochs=max_epochs,
                max_failures=max_failures,
            )
            if where != "worker" and not report_only:
                rerun = forget_finished_retries(search.oracle)
                if rerun:
                    log(f"resuming: interrupted trials {rerun} run again")
            stopped = None
            try:
                if not report_only:
                    with chief_errors(where, oracle_timeout):
                        search.search(verbose=0)
            except RuntimeError as err:  # KerasTuner stops after max_failures consecutive failed trials
                if "consecutive failures" not in str(err):
                    raise
                stopped = str(err)
            if where == "worker":
                ran = _worker_trials(out / "search", search.tuner_id)
                log(f"worker {search.tuner_id}: ran trials {ran}")
                return {"role": "worker", "tuner_id": search.tuner_id, "trials": ran}
        summary = trial_summary(search.oracle)
        protocol = {
            "development_groups": dev,
            "evaluation_groups": evaluation,
            "normalisation": normalisation,
            "search": "inner leave-one-group-out over the development groups only",
            "evaluation": "leave-one-group-out folds of the evaluation groups, trained on all other groups",
        }
        result = {
            "dataset": f"{corpus.name}/{corpus.feature_set}",
            "scheme": scheme,
            "objective": objective,
            "direction": OBJECTIVES[objective],
            "tuner": tuner,
            "max_trials": max_trials,
            "seed": seed,
            "classifier": classifier,
            "tune_classifier": tune_classifier,
            "protocol": protocol,
            "counts": summary["counts"],
            "failed": summary["failed"],
            "stopped_early": stopped,
            "trials": _trial_rows(search.oracle, objective),
        }
        if report_only and not summary["completed"]:
            from serzoo.tuning.report import write_search_report

            log(write_search_report(out, result, None))
            return result
        if not summary["completed"]:
            first = summary["failed"][0]["reason"] if summary["failed"] else "no trial ran"
            from serzoo.tuning.report import write_search_report

            write_search_report(out, result, None)
            raise SearchFailedError(f"every trial of the search failed ({summary['counts']}); first error: {first}")
        best = summary["completed"][0]
        setting = hypermodel.setting(best.hyperparameters)
        result["best"] = {
            "trial_id": best.trial_id,
            "value": float(best.score),
            "hyperparameters": dict(best.hyperparameters.values),
            "setting": setting.to_dict(),
        }
        if scheme is not None:
            from serzoo.hparams import write_tuned_setting

            write_tuned_setting(
                out / "best_hparams.json",
                setting,
                dataset=result["dataset"],
                objective={"name": objective, "direction": OBJECTIVES[objective]},
                value=float(best.score),
                hyperparameters=dict(best.hyperparameters.values),
                protocol=protocol,
                search={"tuner": tuner, "trial_id": best.trial_id, "counts": summary["counts"]},
            )
        else:
            from serzoo.hparams import write_classifier_setting

            write_classifier_setting(
                out / "best_classifier.json",
                classifier,
                setting.classifier.get(classifier, {}),
                dataset=result["dataset"],
                objective={"name": objective, "direction": OBJECTIVES[objective]},
                value=float(best.score),
                hyperparameters=dict(best.hyperparameters.values),
                protocol=protocol,
                search={"tuner": tuner, "trial_id": best.trial_id, "counts": summary["counts"]},
            )
        if evaluate and scheme is None and not report_only:
            result["evaluation"] = evaluate_classifier(
                corpus,
                classifier,
                setting.classifier.get(classifier, {}),
                evaluation_groups=within_evaluation(eval_groups, evaluation),
                seeds=eval_seeds,
                normalisation=normalisation,
                output_dir=out / EVALUATION_DIR,
                jobs=jobs,
            )
        if evaluate and scheme is not None and not report_only:
            result["evaluation"] = evaluate_setting(
                corpus,
                setting,
                evaluation_groups=within_evaluation(eval_groups, evaluation),
                classifier=classifier,
                seeds=eval_seeds,
                baselines=baselines,
                schedule=schedule,
                normalisation=normalisation,
                output_dir=out / EVALUATION_DIR,
                jobs=jobs,
                fixed_options=fixed_options,
                compare_untuned=compare_untuned,
                reuse_from=baselines_source(reuse_baselines) if reuse_baselines else None,
            )
        from serzoo.tuning.report import write_search_report

        log(write_search_report(out, result, search.oracle))
        return result


def baselines_source(search_dir) -> pathlib.Path:
    """The evaluation directory of the search in ``search_dir`` (``--reuse-baselines``); raises if it has no
    finished evaluation units, so that a wrong path is caught before a search, not when its evaluation starts."""
    from serzoo.experiments.resume import UnitStore

    source = pathlib.Path(search_dir) / EVALUATION_DIR
    if not (source / UnitStore.FILE).exists():
        raise ValueError(
            f"--reuse-baselines {search_dir}: no {source / UnitStore.FILE} (the --output-dir of a "
            "search whose evaluation ran?)"
        )
    return source


def evaluate_setting(
    corpus,
    setting,
    *,
    evaluation_groups,
    classifier="dnn",
    seeds=(0, 1, 2),
    baselines=("smote", "noise"),
    schedule="serzoo",
    normalisation="global",
    output_dir,
    jobs=1,
    fixed_options=None,
    compare_untuned=True,
    reuse_from=None,
) -> dict:
    """UAR on the evaluation groups' folds: none, the untuned scheme (its ``schedule`` training, with the search's
    ``fixed_options``), the tuned setting, the baselines. ``reuse_from``: the evaluation directory of another
    search of the same settings, whose none / baseline / ``none_matched`` units are taken as finished (they do not
    depend on the scheme; the stores refuse units of other settings)."""
    from serzoo.experiments.augmentation_harness import run_augmentation, summarise
    from serzoo.experiments.resume import UnitStore
    from serzoo.hparams import TunedSetting
    from serzoo.schedules import training_for

    tuned = f"{setting.scheme}_tuned"
    k = setting.k or 10
    classifier_options = dict(setting.classifier)
    store = UnitStore(
        output_dir,
        {
            "dataset": f"{corpus.name}/{corpus.feature_set}",
            "ks": [0, k],
            "classifiers": [classifier],
            "classifier_options": classifier_options,
            "normalisation": normalisation,
        },
    )
    methods = [setting.scheme] * compare_untuned + [tuned, *baselines]
    reused = (
        store.import_units(reuse_from, lambda key: key.rsplit("/", 1)[-1] in ("none", *baselines)) if reuse_from else 0
    )
    settings = {tuned: setting}
    if fixed_options and compare_untuned:  # the untuned scheme keeps the options the search held fixed
        untuned = training_for(setting.scheme, schedule)
        if untuned.optimizer != "adam":
            raise ValueError(
                f"--options with schedule {schedule!r} of {setting.scheme!r} (not Adam): use --schedule serzoo"
            )
        settings[setting.scheme] = TunedSetting(
            setting.scheme,
            dict(fixed_options),
            untuned.epochs,
            untuned.learning_rate,
            untuned.batch_size,
            source="untuned",
        )
    result = run_augmentation(
        corpus,
        methods,
        ks=(0, k),
        headline_k=k,
        classifiers=(classifier,),
        seeds=seeds,
        schedule=schedule,
        held_out=evaluation_groups,
        normalisation=normalisation,
        synthetic_only=False,
        keep_examples=False,
        store=store,
        jobs=jobs,
        settings=settings,
        classifier_options=classifier_options,
    )
    records, training = list(result["records"]), dict(result["training"])
    if classifier == "dnn":  # the unaugmented DNN with the updates of k sets (Yi & Mak's recipe): see utility
        from serzoo.tuning.objectives import matched_real_options

        sizes = {g: split.y.size for g, split in corpus.splits.items()}
        n = int(np.mean([sum(sizes.values()) - sizes[held] for held in evaluation_groups]))  # training rows
        matched = matched_real_options(classifier, classifier_options.get(classifier, {}), n, k * n)
        matched_records, matched_reused = _real_only_records(
            corpus,
            classifier,
            matched,
            MATCHED_NONE,
            evaluation_groups=evaluation_groups,
            seeds=seeds,
            normalisation=normalisation,
            output_dir=output_dir,
            jobs=jobs,
            reuse_from=reuse_from,
        )
        records, reused = records + matched_records, reused + matched_reused
        training[MATCHED_NONE] = f"real data only, {json.dumps(matched, sort_keys=True)} (the updates of k = {k} sets)"
    table = summarise(records, corpus.n_classes, k)["table"]
    return {
        "k": k,
        "seeds": list(seeds),
        "methods": methods,
        "table": _gains(table),
        "training": training,
        "groups": list(evaluation_groups),
        "records": records,
        "recipe_diagnostics": result["recipe_diagnostics"],
        "reused_units": reused,
    }


def evaluate_classifier(
    corpus, classifier, options, *, evaluation_groups, seeds=(0, 1, 2), normalisation="global", output_dir, jobs=1
) -> dict:
    """UAR on the evaluation groups' folds of the classifier with its default fields (``none``) and with the
    searched ``options`` (``tuned_<classifier>``), both on real data only, paired by seed."""
    from serzoo.experiments.augmentation_harness import summarise

    label = f"tuned_{classifier}"
    records = []
    for name, fields in (("none", {}), (label, dict(options))):
        records += _real_only_records(
            corpus,
            classifier,
            fields,
            name,
            evaluation_groups=evaluation_groups,
            seeds=seeds,
            normalisation=normalisation,
            output_dir=output_dir,
            jobs=jobs,
        )[0]
    table = summarise(records, corpus.n_classes, 0)["table"]
    return {
        "k": 0,
        "seeds": list(seeds),
        "methods": ["none", label],
        "table": _gains(table),
        "training": {label: json.dumps(options, sort_keys=True)},
        "groups": list(evaluation_groups),
        "records": records,
    }


def _real_only_records(
    corpus, classifier, fields, name, *, evaluation_groups, seeds, normalisation, output_dir, jobs, reuse_from=None
) -> tuple[list[dict], int]:
    """Records (method ``name``) of ``classifier`` with ``fields`` trained on real data alone on the evaluation
    groups' folds, resumable in ``output_dir/name``; and how many units were taken from ``reuse_from/name``
    (another evaluation's, if it has them)."""
    from serzoo.experiments.augmentation_harness import run_augmentation
    from serzoo.experiments.resume import UnitStore

    store = UnitStore(
        pathlib.Path(output_dir) / name,
        {
            "dataset": f"{corpus.name}/{corpus.feature_set}",
            "classifiers": [classifier],
            "classifier_options": fields,
            "normalisation": normalisation,
        },
    )
    reused = 0
    if reuse_from and (pathlib.Path(reuse_from) / name / UnitStore.FILE).exists():
        reused = store.import_units(pathlib.Path(reuse_from) / name, lambda key: True)
    run = run_augmentation(
        corpus,
        [],
        ks=(0,),
        headline_k=0,
        classifiers=(classifier,),
        seeds=seeds,
        held_out=evaluation_groups,
        normalisation=normalisation,
        synthetic_only=False,
        keep_examples=False,
        store=store,
        jobs=jobs,
        classifier_options={classifier: fields},
    )
    return [{**r, "method": name} for r in run["records"]], reused


def run_swap_halves(search, *, corpus, output_dir, dev_groups=None, fresh=False, log=print) -> dict:
    """Every fold evaluated with settings chosen without its speaker: search on half A (inner folds), evaluate
    on half B's leave-one-speaker-out folds; search on half B, evaluate on half A's; then pool the two halves'
    evaluations into one table over all folds (issue 17's protocol). See :func:`run_outer_folds`."""
    from serzoo.data import speaker_halves

    first, second = speaker_halves(corpus, dev_groups)
    return run_outer_folds(
        search,
        corpus=corpus,
        output_dir=output_dir,
        protocol="swap-halves",
        partitions=[("half_A", first), ("half_B", second)],
        fresh=fresh,
        log=log,
    )


def run_nested(search, *, corpus, output_dir, fresh=False, log=print) -> dict:
    """Nested search: for each group, a search on all the other groups (inner leave-one-out over them), then the
    evaluation of its best setting on that group's fold alone; the outer folds are pooled. Every group is tested
    once with settings chosen without it; ``G`` searches instead of two, so about ``G / 2`` times the cost of
    swap halves. See :func:`run_outer_folds`."""
    groups = list(corpus.splits)
    return run_outer_folds(
        search,
        corpus=corpus,
        output_dir=output_dir,
        protocol="nested",
        partitions=[(f"outer_{g}", [h for h in groups if h != g]) for g in groups],
        fresh=fresh,
        log=log,
    )


def run_outer_folds(search, *, corpus, output_dir, partitions, protocol, fresh=False, log=print) -> dict:
    """One search per (name, development groups) partition, evaluated on the groups it did not see, then their
    evaluations pooled into one table over all evaluated folds.

    ``search(dev_groups, output_dir)`` runs one search with evaluation (:func:`run_search` with the same tuner,
    trials, objective, k and seeds for every partition) and returns its result; each runs in
    ``output_dir/<name>`` and resumes there. ``output_dir`` is held and claimed like a single search's
    (:func:`open_search`; ``fresh`` discards every partition's search).
    """
    out = pathlib.Path(output_dir)
    record = {
        "dataset": f"{corpus.name}/{corpus.feature_set}",
        "protocol": protocol,
        "partitions": {name: list(dev) for name, dev in partitions},
    }
    with open_search(out, record, fresh=fresh, log=log):
        parts = []
        for name, dev in partitions:
            log(f"{name}: search on {dev}, evaluation on the other groups")
            parts.append(search(dev, out / name))
        return _pool(parts, corpus=corpus, out=out, protocol=protocol, log=log)


def _pool(parts, *, corpus, out, protocol, log) -> dict:
    """The outer folds' evaluations of :func:`run_outer_folds` pooled into one table and report."""
    from serzoo.experiments.augmentation_harness import summarise

    ks = {part["evaluation"]["k"] for part in parts}
    if len(ks) > 1:
        raise ValueError(f"the searches were evaluated at different k {sorted(ks)}: fix --k for {protocol}")
    k = ks.pop()
    records = [r for part in parts for r in part["evaluation"]["records"]]
    result = {
        "dataset": f"{corpus.name}/{corpus.feature_set}",
        "scheme": parts[0]["scheme"],
        "protocol": protocol,
        "k": k,
        "seeds": parts[0]["evaluation"]["seeds"],
        "halves": [
            {
                "development_groups": p["protocol"]["development_groups"],
                "evaluation_groups": p["evaluation"]["groups"],
                "best": p.get("best"),
            }
            for p in parts
        ],
        "table": _gains(summarise(records, corpus.n_classes, k)["table"]),
    }
    from serzoo.tuning.report import write_pooled_report

    log(write_pooled_report(out, result))
    return result


def within_evaluation(chosen, evaluation) -> list[str]:
    """``--eval-groups`` (all evaluation groups if empty), refused if it names a group the search sees."""
    if not chosen:
        return evaluation
    outside = sorted(set(chosen) - set(evaluation))
    if outside:
        raise ValueError(f"--eval-groups {outside} are not evaluation groups ({evaluation}): the search saw them")
    return list(chosen)


def _gains(table) -> list[dict]:
    """Each row with its paired gain over no augmentation (per seed: mean ± std) and folds up / down, and (when the
    table has it) over the unaugmented classifier with the same optimizer updates (``gain_matched``)."""
    from serzoo.metrics import paired_uar_gain

    none = next(row for row in table if row["method"] == "none")
    matched = next((row for row in table if row["method"] == MATCHED_NONE), None)
    rows = []
    for row in table:
        if row["synthetic_only"]:
            continue
        gain = paired_uar_gain(row, none)
        rows.append(
            {
                **{k: row[k] for k in ("method", "k", "uar", "uar_std", "wa", "wa_std", "n_seeds")},
                "gain": gain["mean"] / 100,
                "gain_std": gain["std"] / 100,
                "folds_up": gain["up"],
                "folds_down": gain["down"],
                "n_folds": len(row["fold_uar"]),
            }
        )
        if matched is not None:
            other = paired_uar_gain(row, matched)
            rows[-1].update(
                gain_matched=other["mean"] / 100,
                gain_matched_std=other["std"] / 100,
                folds_up_matched=other["up"],
                folds_down_matched=other["down"],
            )
    return rows


def _trial_rows(oracle, objective) -> list[dict]:
    from serzoo.tuning.tuners import failure_reason

    rows = []
    for trial in sorted(oracle.trials.values(), key=lambda t: int(t.trial_id)):
        metrics = {name: trial.metrics.get_last_value(name) for name in trial.metrics.metrics}
        rows.append(
            {
                "trial_id": trial.trial_id,
                "status": trial.status,
                "score": trial.score,
                "hyperparameters": dict(trial.hyperparameters.values),
                "metrics": metrics,
                "reason": failure_reason(trial.message) if trial.status in ("FAILED", "INVALID") else "",
            }
        )
    return rows


BASE_FILE = "base_training.json"


def search_base(output_dir, scheme: str, schedule: str, log=print):
    """The :class:`serzoo.schedules.Training` a search's trials start from (batch size, default rates and epochs),
    pinned in ``output_dir/base_training.json`` by the first run: a search resumed after a schedule changed keeps
    training its trials as its first ones did (the rates and epochs a trial samples override it)."""
    import dataclasses

    from serzoo.report import write_json
    from serzoo.schedules import Training, training_for
    from serzoo.tuning.project import read_json

    path = pathlib.Path(output_dir) / BASE_FILE
    if path.exists():
        fix = f"delete it to pin schedule {schedule!r} again (the search's trials so far trained from the old one)"
        stored = read_json(path, fix)
        try:
            stored["rate_scales"] = tuple(tuple(pair) for pair in stored.get("rate_scales", ()))
            base = Training(**stored)
        except (TypeError, ValueError, AttributeError) as err:
            raise ValueError(f"{path} is not a training record ({err}): {fix}") from err
        if base != training_for(scheme, schedule):
            log(f"this search trains from its pinned base ({base.describe()}, {path}), not from schedule {schedule!r}")
        return base
    base = training_for(scheme, schedule)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(dataclasses.asdict(base), path)
    return base


def _worker_trials(project: pathlib.Path, tuner_id: str) -> list[str]:
    path = project / "workers" / f"{tuner_id}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line)["trial_id"] for line in path.read_text().splitlines() if line.endswith("}")]
