"""``serzoo evaluate``: leave-one-group-out evaluation of a baseline classifier."""

from serzoo.cli import common

HELP = "leave-one-speaker-out evaluation of a baseline classifier"


def register(sub) -> None:
    from serzoo.folds import FOLD_SCHEMES
    from serzoo.models.classifiers import CLASSIFIERS

    parser = sub.add_parser("evaluate", help=HELP)
    common.add_data_options(parser, "emodb/is11")
    parser.add_argument("--classifier", choices=CLASSIFIERS, default="svm", help="the classifier (default svm)")
    parser.add_argument(
        "--fold-scheme",
        choices=FOLD_SCHEMES,
        default="leave-one-group-out",
        help="leave-one-group-out (default), leave-one-corpus-out, corpus-pairs or within-corpus (several corpora)",
    )
    parser.add_argument("--epochs", type=int, default=None, help="DNN epochs (default 100)")
    parser.add_argument(
        "--output-dir",
        default=None,
        help="folder of results.json (default results/evaluate_<dataset>_<features>_<classifier>_<normalisation>"
        "_seed<seed>)",
    )
    common.add_renamed_option(parser, "--output", "--output-dir (results.json is written into it)")
    parser.set_defaults(run=run)


def run(args) -> int:
    import pathlib

    from serzoo import report
    from serzoo.data import load_corpus
    from serzoo.experiments.loso import evaluate_classifier

    corpus = load_corpus(args.dataset, data_dir=args.data_dir, manual_dir=common.manual_dir(args))
    options = {"epochs": args.epochs} if args.epochs is not None and args.classifier == "dnn" else {}
    seed = common.one_seed(args)
    result = evaluate_classifier(
        corpus,
        args.classifier,
        normalisation=args.normalisation,
        fold_scheme=args.fold_scheme,
        seed=seed,
        max_folds=args.folds,
        **options,
    )
    print(report.fold_table(result))
    print()
    print(report.results_table([result]))
    output_dir = pathlib.Path(
        args.output_dir
        or f"results/evaluate_{corpus.name}_{corpus.feature_set}_{args.classifier}_{args.normalisation}_seed{seed}"
    )
    print(f"\nwrote {report.write_json(result, output_dir / 'results.json')}")
    return 0
