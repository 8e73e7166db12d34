"""``serzoo reproduce``: a paper's experiment end to end (today: Yi & Mak on EmoDB), resumable."""

from serzoo.cli import common

HELP = "reproduce a paper's experiment (yi-mak-emodb)"
#: Report folders when --output-dir is not given, per --protocol.
TABLE_OUTPUT = "results/yi_mak_emodb"
SWAP_HALVES_OUTPUT = "results/recipes_swap_halves"


def _methods() -> tuple[str, ...]:
    from serzoo.augmenters import augmentation_methods

    return augmentation_methods()


def register(sub) -> None:
    from serzoo.models.classifiers import CLASSIFIERS

    parser = sub.add_parser("reproduce", help=HELP)
    parser.add_argument(
        "experiment", choices=("yi-mak-emodb",), help="the experiment (yi-mak-emodb: Yi & Mak's Table I)"
    )
    common.add_data_options(parser, "emodb/is11", seeds=False)
    parser.add_argument(
        "--methods",
        type=common.name_list(_methods, "serzoo reproduce --methods"),
        default=None,
        help="comma-separated augmentation methods (default: the paper's duplicate,noise,smote,gan,"
        f"cgan,aae,adan,wadan; any of {', '.join(_methods())})",
    )
    parser.add_argument(
        "--classifiers",
        type=common.name_list(lambda: CLASSIFIERS),
        default=None,
        help=f"comma-separated classifiers (default: {','.join(CLASSIFIERS)}; swap-halves: dnn)",
    )
    parser.add_argument(
        "--k", type=common.int_list, default=[0, 10], help="numbers of synthetic sets, e.g. 0,1,2,5,10 (default 0,10)"
    )
    common.add_renamed_option(parser, "--ks", "--k")
    parser.add_argument("--headline-k", type=int, default=10, help="k of the headline table (fixed in advance)")
    common.add_seeds_option(parser)
    common.add_training_options(parser, "serzoo")
    common.add_jobs_option(parser)
    common.add_hparams_option(parser, "adds each file's tuned scheme as method <scheme>_tuned")
    common.add_recipe_option(parser)
    parser.add_argument(
        "--protocol",
        choices=("table", "swap-halves"),
        default="table",
        help="table: the paper's Table I at --headline-k (default); swap-halves: every recipe of "
        "serzoo.experiments.recipe_study.RECIPE_GRID per method, each speaker half's recipe chosen on "
        "the other half (default methods wadan,smote; DNN)",
    )
    parser.add_argument(
        "--dev-groups",
        type=lambda text: [g.strip() for g in text.split(",") if g.strip()],
        default=None,
        help="swap-halves: the first half's speakers (default: EmoDB's documented halves)",
    )
    parser.add_argument(
        "--recipes",
        type=lambda text: [n.strip() for n in text.split(",") if n.strip()],
        default=None,
        help="swap-halves: only these recipes of the grid, e.g. paper,cu,two-stage "
        "(default: all; fixed before the run)",
    )
    parser.add_argument(
        "--classifier-hparams",
        default=None,
        metavar="FILE,FILE",
        help="swap-halves: best_classifier.json of `serzoo tune --scheme none --tune-classifier` on "
        "each speaker half; each fold's classifiers use the one searched without its speaker",
    )
    parser.add_argument(
        "--no-synthetic-only",
        action="store_true",
        help="skip the synthetic-only classifiers (halves the classifier time)",
    )
    parser.add_argument(
        "--output-dir",
        default=None,
        help=f"report folder (default {TABLE_OUTPUT}; swap-halves: {SWAP_HALVES_OUTPUT})",
    )
    common.add_held_out_option(parser)
    parser.add_argument(
        "--report-only", action="store_true", help="compute nothing: report the folds finished so far in --output-dir"
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="discard finished units in --output-dir (default: resume an interrupted run)",
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    from serzoo.experiments import yi_mak

    if args.protocol == "swap-halves":
        return _swap_halves(args)
    misplaced = [
        flag
        for flag, value in (
            ("--dev-groups", args.dev_groups),
            ("--recipes", args.recipes),
            ("--classifier-hparams", args.classifier_hparams),
        )
        if value
    ]
    if misplaced:
        raise ValueError(f"{', '.join(misplaced)} belong(s) to --protocol swap-halves")

    yi_mak.reproduce(
        manual_dir=common.manual_dir(args),
        data_dir=args.data_dir,
        output_dir=args.output_dir or TABLE_OUTPUT,
        dataset=args.dataset,
        methods=args.methods or yi_mak.METHODS,
        ks=args.k,
        headline_k=args.headline_k,
        classifiers=args.classifiers or list(_classifiers()),
        seeds=args.seeds,
        max_folds=args.folds,
        held_out=args.held_out,
        normalisation=args.normalisation,
        synthetic_only=not args.no_synthetic_only,
        fresh=args.fresh,
        report_only=args.report_only,
        jobs=args.jobs,
        settings=common.tuned_settings(args),
        recipe=common.recipe(args),
        **common.training_kwargs(args),
    )
    return 0


def _swap_halves(args) -> int:
    from serzoo.experiments import recipe_study
    from serzoo.hparams import load_classifier_setting

    ignored = [
        flag
        for flag, value in (
            ("--hparams", getattr(args, "hparams", None)),
            ("--recipe", args.recipe),
            ("--held-out", args.held_out),
            ("--folds", args.folds),
        )
        if value
    ]
    if ignored:
        raise ValueError(
            f"{', '.join(ignored)} do not apply to --protocol swap-halves (it runs every recipe of its "
            "grid on all folds): drop them"
        )
    recipe_study.reproduce_swap_halves(
        manual_dir=common.manual_dir(args),
        data_dir=args.data_dir,
        output_dir=args.output_dir or SWAP_HALVES_OUTPUT,
        dataset=args.dataset,
        methods=args.methods or ("wadan", "smote"),
        seeds=args.seeds,
        classifiers=args.classifiers or ["dnn"],
        normalisation=args.normalisation,
        training=common.training_kwargs(args),
        dev_groups=args.dev_groups,
        jobs=args.jobs,
        fresh=args.fresh,
        report_only=args.report_only,
        grid=recipe_study.select_grid(args.recipes),
        classifier_settings=[
            load_classifier_setting(path) for path in (args.classifier_hparams or "").split(",") if path
        ],
    )
    return 0


def _classifiers():
    from serzoo.models.classifiers import CLASSIFIERS

    return CLASSIFIERS
