"""``serzoo regimes``: scarce labels and unseen corpora, each method against its supervised twin (issue 31)."""

from serzoo.cli import common

HELP = "where adversarial models pay: scarce labels, unseen corpora with unlabelled target speech"


def register(sub) -> None:
    from serzoo.experiments.regimes import METHODS, REGIMES
    from serzoo.normalisation import NORMALISATIONS

    parser = sub.add_parser("regimes", help=HELP)
    parser.add_argument("regime", choices=REGIMES, help=f"the regime: {' or '.join(REGIMES)}")
    parser.add_argument(
        "--dataset",
        required=True,
        help="scarce-labels: one corpus, e.g. ravdess/egemaps; unseen-corpus: several, e.g. "
        "emodb+ravdess+emovo/egemaps+shared6",
    )
    common.add_manual_dir_option(parser)
    parser.add_argument("--data-dir", default=None, help="TFDS data dir (default ~/tensorflow_datasets)")
    parser.add_argument(
        "--methods",
        type=common.name_list(lambda: METHODS),
        default=["dnn", "svm", "smote", "noise", "semi_aae"],
        help=f"methods (each brings its supervised twin): {', '.join(METHODS)}",
    )
    parser.add_argument(
        "--fractions",
        type=common.float_list,
        default=[1.0],
        help="scarce-labels: labelled shares of each class's training utterances, e.g. 0.05,0.1,0.25,0.5,1",
    )
    parser.add_argument("--seeds", type=common.int_list, default=[0, 1, 2], help="default 0,1,2")
    parser.add_argument("--normalisation", choices=NORMALISATIONS, default="global", help="default global")
    common.add_held_out_option(parser)
    common.add_jobs_option(parser)
    parser.add_argument("--output-dir", default="results/regimes", help="report, results and units.jsonl")
    parser.add_argument("--fresh", action="store_true", help="discard finished units in --output-dir")
    parser.set_defaults(run=run)


def run(args) -> int:
    from serzoo import report
    from serzoo.experiments.regimes import regime_table, render_report, run_regime

    store = common.unit_store(args, {"experiment": "regimes", "dataset": args.dataset})
    result = run_regime(
        args.regime,
        args.dataset,
        methods=args.methods,
        fractions=args.fractions,
        seeds=args.seeds,
        normalisation=args.normalisation,
        store=store,
        jobs=args.jobs,
        data_dir=args.data_dir,
        manual_dir=args.manual_dir,
        held_out=args.held_out,
    )
    path = report.write_report(args.output_dir, render_report(result, args.output_dir), result)
    print(regime_table(result))
    print(f"\nwrote {path}")
    return 0
