"""``serzoo tune``: a KerasTuner search of one scheme on development speakers, then its evaluation.

Registered as the ``tune`` command through the ``serzoo.commands`` entry point (setup.cfg), so that ``serzoo``
never imports ``tuning``. Exit codes: 0 done, 1 every trial failed (the first error is printed), 2 bad input.
"""

import sys

from serzoo.cli import common

HELP = "KerasTuner search of a scheme's latent size, learning rates and knobs on development speakers"


def _schemes() -> tuple[str, ...]:
    from serzoo.models import scheme_names

    return (*scheme_names(generator=True), "none")


def register(sub) -> None:
    from serzoo.models.classifiers import CLASSIFIERS
    from serzoo.tuning.objectives import OBJECTIVES
    from serzoo.tuning.space import TUNER_KINDS

    parser = sub.add_parser("tune", help=HELP, description=__doc__.splitlines()[0])
    common.add_data_options(parser, "emodb/is11", folds=False)
    parser.add_argument(
        "--scheme",
        required=True,
        type=common.generator_name("serzoo tune --scheme"),
        choices=_schemes(),
        help="registered scheme to search, or none (the classifier alone, with --tune-classifier)",
    )
    parser.add_argument(
        "--objective",
        choices=tuple(OBJECTIVES),
        default=None,
        help="utility (default): inner held-out UAR gain of real+k synthetic sets over real only; "
        "tstr, trts, mmd, fid: cheaper proxies; uar: the classifier alone (--scheme none)",
    )
    parser.add_argument(
        "--tuner", choices=TUNER_KINDS, default="bayesian", help="KerasTuner's tuner (default bayesian)"
    )
    parser.add_argument("--max-trials", type=int, default=30, help="trials of random/bayesian (default 30)")
    parser.add_argument("--max-epochs", type=int, default=400, help="Hyperband's largest epoch budget")
    parser.add_argument("--executions-per-trial", type=int, default=1, help="seeds per trial, averaged")
    parser.add_argument(
        "--max-failures",
        type=int,
        default=3,
        help="stop after this many consecutive failed trials (KerasTuner's default 3)",
    )
    parser.add_argument("--classifier", choices=CLASSIFIERS, default="dnn", help="the classifier (default dnn)")
    parser.add_argument("--tune-classifier", action="store_true", help="also search the classifier's knobs")
    parser.add_argument(
        "--tune-recipe",
        action="store_true",
        help="also search how synthetic rows enter the classifier (weight, constant updates, "
        "calibration, curation, latent interpolation: serzoo.recipes)",
    )
    parser.add_argument(
        "--protocol",
        choices=("dev-eval", "swap-halves", "nested"),
        default="dev-eval",
        help="dev-eval: search on the development groups, evaluate on the others; swap-halves: "
        "also the other way round, pooled over every fold; nested: one search per outer fold on all "
        "other groups, evaluated on that fold, pooled (about G/2 times the cost of swap-halves)",
    )
    parser.add_argument("--k", default="10", help="synthetic sets added (fixed in advance, default 10) or 'tune'")
    parser.add_argument(
        "--epochs", type=int, default=None, help="fix the generator's epochs (default: searched; Hyperband's budget)"
    )
    common.add_schedule_option(
        parser, "serzoo", "the untuned training the search starts from and the evaluation compares with"
    )
    parser.add_argument(
        "--dev-groups",
        default=None,
        help="comma-separated development groups (default: the corpus's documented halves; "
        "EmoDB speaker03,08,09,10,11)",
    )
    parser.add_argument("--output-dir", default=None, help="default results/tune/<scheme>_<dataset>_<features>")
    parser.add_argument("--show-space", action="store_true", help="print the search space and exit")
    parser.add_argument("--no-evaluate", action="store_true", help="skip the evaluation on evaluation speakers")
    parser.add_argument(
        "--report-only", action="store_true", help="run nothing: report the trials finished so far in --output-dir"
    )
    parser.add_argument(
        "--eval-seeds",
        type=common.int_list,
        default=[0, 1, 2],
        help="seeds of the evaluation, comma-separated (default 0,1,2)",
    )
    parser.add_argument(
        "--eval-groups", default=None, help="evaluate on these evaluation groups only (default: all of them)"
    )
    parser.add_argument("--baselines", default="smote,noise", help="non-neural methods in the evaluation")
    parser.add_argument(
        "--reuse-baselines",
        default=None,
        metavar="DIR",
        help="another search's --output-dir (same corpus, classifier, k, seeds): take its evaluation's "
        "finished none / baseline units instead of computing them again",
    )
    common.add_jobs_option(parser)
    parser.add_argument(
        "--role",
        choices=("chief", "worker"),
        default=None,
        help="distributed search: the chief serves KerasTuner's oracle, workers run trials",
    )
    parser.add_argument("--oracle", default=None, metavar="HOST:PORT", help="the chief's address (with --role)")
    parser.add_argument("--tuner-id", default=None, help="a worker's id (default worker-<host>-<pid>)")
    parser.add_argument(
        "--oracle-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="how long a worker waits for its chief to answer before it stops with an error (default 600)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="discard the search (trials, evaluation, reports) already in --output-dir and start again "
        "(a rerun with other options is refused without it)",
    )
    parser.add_argument(
        "--options",
        type=common.json_object,
        default={},
        help="builder options held fixed, not searched, as JSON, e.g. '{\"width\": 100}'",
    )
    parser.add_argument(
        "--classifier-options",
        type=common.json_object,
        default={},
        help="classifier fields held fixed, as JSON, e.g. '{\"epochs\": 50}'",
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    from serzoo.data import load_corpus
    from serzoo.tuning.search import (
        ORACLE_TIMEOUT,
        SearchFailedError,
        baselines_source,
        build_search,
        check_search_options,
        open_search,
        run_nested,
        run_search,
        run_swap_halves,
        show_space,
        within_evaluation,
    )

    scheme = None if args.scheme == "none" else args.scheme
    objective = args.objective or ("uar" if scheme is None else "utility")
    k = None if args.k == "tune" else _positive_int(args.k, "--k")
    baselines = [b for b in args.baselines.split(",") if b]
    check_search_options(
        max_trials=args.max_trials,
        executions_per_trial=args.executions_per_trial,
        max_failures=args.max_failures,
        max_epochs=args.max_epochs,
        jobs=args.jobs,
        baselines=baselines,
        eval_seeds=args.eval_seeds,
    )
    from serzoo.hparams import check_buildable, check_classifier_options

    check_classifier_options(args.classifier, args.classifier_options, "--classifier-options")
    if scheme is not None:
        check_buildable(scheme, args.options, "--options")
    oracle_timeout = ORACLE_TIMEOUT if args.oracle_timeout is None else args.oracle_timeout
    if not oracle_timeout > 0:
        raise ValueError(f"--oracle-timeout must be a positive number of seconds, got {args.oracle_timeout}")
    if args.reuse_baselines:  # checked before the search, not when its evaluation starts hours later
        baselines_source(args.reuse_baselines)
    corpus = load_corpus(args.dataset, data_dir=args.data_dir, manual_dir=common.manual_dir(args))
    dev_groups = args.dev_groups.split(",") if args.dev_groups else None
    options = dict(
        corpus=corpus,
        scheme=scheme,
        objective=objective,
        classifier=args.classifier,
        tune_classifier=args.tune_classifier,
        tune_recipe=args.tune_recipe,
        k=k,
        epochs=args.epochs,
        tuner=args.tuner,
        schedule=args.schedule,
        dev_groups=dev_groups,
        normalisation=args.normalisation,
        fixed_options=args.options,
        classifier_options=args.classifier_options,
    )
    if args.show_space:
        hypermodel, dev, evaluation = build_search(**options, with_folds=False)
        budget = ", epochs = the Hyperband budget" if args.tuner == "hyperband" and args.epochs is None else ""
        print(f"search space of {args.scheme} ({args.tuner}{budget}); development groups {dev}:")
        print(show_space(hypermodel))
        return 0
    output_dir = args.output_dir or f"results/tune/{args.scheme}_{args.dataset.replace('/', '_')}"
    outer = args.protocol in ("swap-halves", "nested")
    eval_groups = args.eval_groups.split(",") if args.eval_groups else None
    if eval_groups and not outer:  # before any worker starts (swap-halves and nested refuse it below)
        from serzoo.data import speaker_halves

        within_evaluation(eval_groups, speaker_halves(corpus, dev_groups)[1])

    def search(dev, out):
        workers = 1
        if args.jobs > 1 and args.role is None and not args.report_only:  # chief/worker mode on this machine
            from serzoo.tuning.parallel import worker_count

            workers = worker_count(args.jobs, None if args.tuner == "hyperband" else args.max_trials)
        search_options = dict(
            **{**options, "dev_groups": dev},
            output_dir=out,
            max_trials=args.max_trials,
            max_epochs=args.max_epochs,
            executions_per_trial=args.executions_per_trial,
            seed=common.one_seed(args),
            role=args.role,
            oracle=args.oracle,
            tuner_id=args.tuner_id,
            evaluate=not args.no_evaluate,
            eval_seeds=args.eval_seeds,
            baselines=baselines,
            jobs=args.jobs,
            max_failures=args.max_failures,
            report_only=args.report_only,
            reuse_baselines=args.reuse_baselines,
            eval_groups=eval_groups,
            fresh=args.fresh and not outer,
            oracle_timeout=oracle_timeout,
        )
        if workers == 1:
            return run_search(**search_options)
        from serzoo.tuning.parallel import run_workers
        from serzoo.tuning.project import search_record

        record_options = {name: options[name] for name in options if name != "dev_groups"}
        record = search_record(
            **record_options,
            dev_groups=dev,
            executions_per_trial=args.executions_per_trial,
            seed=common.one_seed(args),
            max_epochs=args.max_epochs,
        )
        with open_search(out, record, fresh=search_options["fresh"]):  # held for the chief and workers too
            argv = [*_search_argv(args), "--dev-groups", ",".join(dev), "--output-dir", str(out)]
            run_workers(argv, workers, output_dir=out, oracle_timeout=oracle_timeout)
            # then this process reloads, as the local "chief", what the chief recorded (no trial runs again)
            return run_search(**{**search_options, "fresh": False})

    try:
        if args.protocol in ("swap-halves", "nested"):
            if args.role or args.no_evaluate or k is None or args.eval_groups or args.reuse_baselines:
                raise ValueError(
                    f"--protocol {args.protocol} runs its searches and evaluations itself: no --role, "
                    "no --no-evaluate, no --eval-groups, no --reuse-baselines, and a fixed --k"
                )
            if args.protocol == "nested":
                if dev_groups:
                    raise ValueError(
                        "--protocol nested searches on every group but the outer fold's: drop --dev-groups"
                    )
                run_nested(search, corpus=corpus, output_dir=output_dir, fresh=args.fresh)
            else:
                run_swap_halves(search, corpus=corpus, output_dir=output_dir, dev_groups=dev_groups, fresh=args.fresh)
        else:
            from serzoo.data import speaker_halves

            search(speaker_halves(corpus, dev_groups)[0], output_dir)
    except SearchFailedError as err:
        print(f"serzoo tune: {err}", file=sys.stderr)
        return 1
    return 0


def _search_argv(args) -> list[str]:
    """The options that define the search, for the local worker processes."""
    import json

    argv = [
        "--dataset",
        args.dataset,
        "--scheme",
        args.scheme,
        "--tuner",
        args.tuner,
        "--max-trials",
        str(args.max_trials),
        "--max-epochs",
        str(args.max_epochs),
        "--executions-per-trial",
        str(args.executions_per_trial),
        "--max-failures",
        str(args.max_failures),
        "--classifier",
        args.classifier,
        "--k",
        args.k,
        "--schedule",
        args.schedule,
        "--seeds",
        str(common.one_seed(args)),
        "--normalisation",
        args.normalisation,
        "--options",
        json.dumps(args.options),
        "--classifier-options",
        json.dumps(args.classifier_options),
    ] + (["--tune-recipe"] if args.tune_recipe else [])
    for flag, value in (
        ("--manual-dir", common.manual_dir(args)),
        ("--data-dir", args.data_dir),
        ("--objective", args.objective),
        ("--epochs", args.epochs),
    ):
        if value is not None:
            argv += [flag, str(value)]
    return argv + (["--tune-classifier"] if args.tune_classifier else []) + (["--verbose"] if args.verbose else [])


def _positive_int(text: str, flag: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{flag} must be a positive integer or 'tune', got {text!r}")
    return int(text)
