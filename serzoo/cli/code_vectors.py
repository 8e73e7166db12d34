"""``serzoo code-vectors``: Sahu et al. 2017, SVM on AAE codes vs features / AE / LDA / PCA, AAE synthetic data."""

from serzoo.cli import common

HELP = "Sahu et al. 2017: SVM on AAE codes vs features/AE/LDA/PCA; synthetic data from the AAE"


def register(sub) -> None:
    parser = sub.add_parser("code-vectors", help=HELP)
    common.add_data_options(parser, "emodb/is10", normalisation=False)
    parser.add_argument("--code-dim", type=int, default=2, help="AAE code size (paper: 2)")
    parser.add_argument("--ae-code-dim", type=int, default=100, help="plain autoencoder code size (paper: <= 100)")
    common.add_training_options(parser, "serzoo")
    parser.add_argument("--n-synthetic", type=int, default=100, help="synthetic vectors per class (paper: 100)")
    parser.add_argument(
        "--output-dir", default="results/code_vectors", help="report folder (default results/code_vectors)"
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="discard finished folds in --output-dir (default: resume an interrupted run)",
    )
    common.add_jobs_option(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from serzoo import report
    from serzoo.data import load_corpus
    from serzoo.experiments.code_vectors import render_report, run_code_vectors

    corpus = load_corpus(args.dataset, data_dir=args.data_dir, manual_dir=common.manual_dir(args))
    result = run_code_vectors(
        corpus,
        code_dim=args.code_dim,
        ae_code_dim=args.ae_code_dim,
        n_synthetic=args.n_synthetic,
        seed=common.one_seed(args),
        max_folds=args.folds,
        output_dir=args.output_dir,
        fresh=args.fresh,
        jobs=args.jobs,
        **common.training_kwargs(args),
    )
    text = render_report(result, args.output_dir)
    report.write_report(args.output_dir, text, result)
    print(text)
    return 0
