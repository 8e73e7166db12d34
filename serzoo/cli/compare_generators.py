"""``serzoo compare-generators``: Sahu et al. (TAC) M1/M2/M3 scored by metrics 1-3, t-SNE and loss curves."""

from serzoo.cli import common

HELP = (
    "Sahu et al. (TAC): M1/M2/M3 scored by metrics 1-3 (TRTS, TSTR on training and held-out speakers, FID), "
    "t-SNE and loss curves"
)


def register(sub) -> None:
    from serzoo.models import scheme_names

    parser = sub.add_parser("compare-generators", help=HELP)
    common.add_data_options(parser, "emodb/is10", normalisation=False)
    parser.add_argument(
        "--methods",
        type=common.name_list(lambda: scheme_names(generator=True), "serzoo compare-generators --methods"),
        default=["m1", "m2", "m3"],
        help="comma-separated registered schemes (default m1,m2,m3)",
    )
    common.add_renamed_option(parser, "--models", "--methods")
    common.add_training_options(parser, "paper")
    common.add_jobs_option(parser)
    parser.add_argument(
        "--n-synthetic",
        type=int,
        default=None,
        help="balanced synthetic vectors per fold (default: the training fold's size)",
    )
    common.add_groups_option(parser)
    parser.add_argument(
        "--options",
        type=common.json_object,
        default={},
        help="builder options of every model as JSON, e.g. '{\"generator_steps\": 1}' (M2/M3: one decoder update "
        "per D2 update)",
    )
    parser.add_argument(
        "--rate-scales",
        type=common.rate_scales,
        default=(),
        help="Adam rate factors of named players, e.g. feature_discriminator=0.1,decoder=0.5 (every model must "
        "have them)",
    )
    parser.add_argument(
        "--output-dir",
        default="results/generator_comparison",
        help="report folder (default results/generator_comparison)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="discard finished units in --output-dir (default: resume an interrupted run)",
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    from serzoo import report
    from serzoo.data import load_corpus
    from serzoo.experiments.generator_comparison import render_report, run_generator_comparison

    corpus = load_corpus(args.dataset, data_dir=args.data_dir, manual_dir=common.manual_dir(args))
    result = run_generator_comparison(
        corpus,
        args.output_dir,
        models=args.methods,
        n_synthetic=args.n_synthetic,
        seed=common.one_seed(args),
        max_folds=args.folds,
        groups=common.groups(args, corpus),
        options=args.options,
        rate_scales=args.rate_scales,
        fresh=args.fresh,
        jobs=args.jobs,
        **common.training_kwargs(args),
    )
    text = render_report(result, args.output_dir)
    report.write_report(args.output_dir, text, result)
    print(text)
    return 0
