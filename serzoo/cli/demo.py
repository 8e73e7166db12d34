"""``serzoo demo``: the whole pipeline on one corpus (default: the embedded synthetic corpus), with a report."""

from serzoo.cli import common

HELP = "run the whole pipeline (default: embedded synthetic corpus)"


def register(sub) -> None:
    from serzoo.models import scheme_names

    parser = sub.add_parser("demo", help=HELP)
    common.add_data_options(parser, "synth_emo/is11")
    parser.add_argument("--output-dir", default="serzoo_demo_report", help="report folder")
    parser.add_argument(
        "--scheme",
        type=common.generator_name("serzoo demo --scheme"),
        choices=scheme_names(exportable=True),
        default="adan",
        help="generator (default adan)",
    )
    common.add_training_options(parser, "serzoo")
    parser.add_argument(
        "--export-root",
        default=None,
        help="folder the generator is exported into (default OUTPUT_DIR/exported, beside the report: the "
        "repository's exported/ holds the shipped presets only)",
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    from serzoo.experiments.demo import run_demo

    summary = run_demo(
        args.dataset,
        output_dir=args.output_dir,
        data_dir=args.data_dir,
        manual_dir=common.manual_dir(args),
        normalisation=args.normalisation,
        max_folds=args.folds,
        seed=common.one_seed(args),
        scheme=args.scheme,
        export_root=args.export_root or f"{args.output_dir}/exported",
        **common.training_kwargs(args),
    )
    print(f"done in {summary['seconds']:.0f} s: see {args.output_dir}/report.md")
    return 0
