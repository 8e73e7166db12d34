"""``serzoo cross-corpus``: the corpus matrix (train on A, test on B), leave-one-corpus-out, and its low-resource
variant (a fraction of the source plus synthetic data)."""

from serzoo.cli import common

HELP = "train on one corpus, test on another: every ordered pair, leave-one-corpus-out"
DEFAULT_DATASET = "emodb+ravdess+emovo/is11+shared6"


def register(sub) -> None:
    from serzoo.augmenters import augmentation_methods
    from serzoo.experiments.cross_corpus import SCHEMES
    from serzoo.models.classifiers import CLASSIFIERS
    from serzoo.normalisation import NORMALISATIONS

    parser = sub.add_parser("cross-corpus", help=HELP)
    parser.add_argument(
        "--dataset",
        default=DEFAULT_DATASET,
        help=f"several corpora, one feature set and a class set they share (default {DEFAULT_DATASET})",
    )
    common.add_manual_dir_option(parser)
    parser.add_argument("--data-dir", default=None, help="TFDS data dir (default ~/tensorflow_datasets)")
    parser.add_argument(
        "--fold-schemes",
        type=common.name_list(lambda: SCHEMES),
        default=list(SCHEMES),
        help=f"which protocols (default all: {', '.join(SCHEMES)})",
    )
    parser.add_argument(
        "--normalisations",
        type=common.name_list(lambda: NORMALISATIONS),
        default=list(NORMALISATIONS),
        help="z-norm statistics: training corpus (global), each speaker's own, each corpus's own (default all)",
    )
    parser.add_argument(
        "--classifiers", type=common.name_list(lambda: CLASSIFIERS), default=list(CLASSIFIERS), help="default svm,dnn"
    )
    parser.add_argument("--seeds", type=common.int_list, default=[0, 1, 2], help="default 0,1,2")
    parser.add_argument(
        "--fractions", type=common.float_list, default=[1.0], help="fractions of each source speaker's utterances"
    )
    parser.add_argument(
        "--n-synthetic", type=common.int_list, default=[0], help="synthetic training rows (0: real data only)"
    )
    parser.add_argument(
        "--methods",
        type=common.name_list(augmentation_methods, "serzoo cross-corpus --methods"),
        default=["smote"],
        help="the augmentation method of the synthetic rows (one per run; default smote)",
    )
    common.add_renamed_option(parser, "--method", "--methods")
    common.add_training_options(parser, "serzoo")
    common.add_jobs_option(parser)
    parser.add_argument("--output-dir", default="results/cross_corpus", help="report, results and units.jsonl")
    parser.add_argument("--fresh", action="store_true", help="discard finished units in --output-dir")
    parser.set_defaults(run=run)


def run(args) -> int:
    from serzoo import report
    from serzoo.experiments.cross_corpus import matrix_cells, render_report, run_matrix

    if len(args.methods) != 1:
        raise ValueError(f"--methods {','.join(args.methods)}: cross-corpus runs one method; run it once per method")
    cells = matrix_cells(
        args.dataset,
        fold_schemes=args.fold_schemes,
        normalisations=args.normalisations,
        classifiers=args.classifiers,
        seeds=args.seeds,
        fractions=args.fractions,
        n_synthetic=args.n_synthetic,
        method=args.methods[0],
    )
    store = common.unit_store(args, {"experiment": "cross-corpus", "training": common.training_kwargs(args)})
    result = run_matrix(
        cells,
        store=store,
        jobs=args.jobs,
        data_dir=args.data_dir,
        manual_dir=args.manual_dir,
        training=common.training_kwargs(args),
    )
    path = report.write_report(args.output_dir, render_report(result, args.output_dir), result)
    print(f"wrote {path}")
    return 0
