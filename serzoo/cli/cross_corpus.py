"""``serzoo cross-corpus``: train on one corpus (a fraction of it, plus synthetic data), test on another."""

from serzoo.cli import common

HELP = "train on one corpus (+ synthetic data), test on another"


def register(sub) -> None:
    from serzoo.augmenters import augmentation_methods
    from serzoo.models.classifiers import CLASSIFIERS

    parser = sub.add_parser("cross-corpus", help=HELP)
    parser.add_argument("--source", required=True, help="e.g. iemocap/is10_four_class or emodb/is11")
    parser.add_argument("--target", required=True, help="e.g. msp_improv/is10_four_class or synth_emo/is11")
    parser.add_argument("--source-manual-dir", default=None, help="folder holding the source corpus")
    parser.add_argument("--target-manual-dir", default=None, help="folder holding the target corpus")
    parser.add_argument("--data-dir", default=None, help="TFDS data dir (default ~/tensorflow_datasets)")
    parser.add_argument(
        "--methods",
        type=common.name_list(augmentation_methods),
        default=["smote"],
        help="the augmentation method (one per run; default smote)",
    )
    common.add_renamed_option(parser, "--method", "--methods")
    parser.add_argument("--classifier", choices=CLASSIFIERS, default="svm", help="the classifier (default svm)")
    parser.add_argument(
        "--fractions",
        type=common.float_list,
        default=[0.1, 0.25, 0.5, 0.8, 1.0],
        help="shares P of every source speaker's data, comma-separated (default 0.1,0.25,0.5,0.8,1)",
    )
    parser.add_argument(
        "--n-synthetic",
        type=common.int_list,
        default=[0, 600, 2000, 6000],
        help="synthetic samples N added to the source data, comma-separated (default 0,600,2000,6000)",
    )
    common.add_seeds_option(parser)
    common.add_training_options(parser, "serzoo")
    parser.add_argument(
        "--output-dir", default="results/cross_corpus", help="report folder (default results/cross_corpus)"
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    from serzoo import report
    from serzoo.data import load_corpus
    from serzoo.experiments.cross_corpus import cross_corpus_table, render_report, run_cross_corpus

    if len(args.methods) != 1:
        raise ValueError(f"--methods {','.join(args.methods)}: cross-corpus runs one method; run it once per method")
    source = load_corpus(args.source, data_dir=args.data_dir, manual_dir=args.source_manual_dir)
    target = load_corpus(args.target, data_dir=args.data_dir, manual_dir=args.target_manual_dir)
    result = run_cross_corpus(
        source,
        target,
        fractions=args.fractions,
        n_synthetic=args.n_synthetic,
        method=args.methods[0],
        classifier=args.classifier,
        seeds=args.seeds,
        **common.training_kwargs(args),
    )
    path = report.write_report(args.output_dir, render_report(result, args.output_dir, args.seeds), result)
    print(cross_corpus_table(result))
    print(f"\nwrote {path}")
    return 0
