"""``serzoo baselines``: leave-one-speaker-out SVM and DNN per corpus, feature set, class set and normalisation."""

from serzoo.cli import common

HELP = "within-corpus leave-one-speaker-out SVM/DNN table over corpora, feature sets and class sets"


def register(sub) -> None:
    from serzoo.builders import DATASETS
    from serzoo.emotions import CLASS_SETS
    from serzoo.experiments import baselines
    from serzoo.features import FEATURE_SETS
    from serzoo.models.classifiers import CLASSIFIERS
    from serzoo.normalisation import NORMALISATIONS

    parser = sub.add_parser("baselines", help=HELP)
    parser.add_argument(
        "--corpora",
        type=common.name_list(lambda: DATASETS),
        default=list(baselines.CORPORA),
        help=f"default {','.join(baselines.CORPORA)}",
    )
    parser.add_argument(
        "--feature-sets",
        type=common.name_list(lambda: FEATURE_SETS),
        default=list(baselines.FEATURE_SETS),
        help=f"default {','.join(baselines.FEATURE_SETS)}",
    )
    parser.add_argument(
        "--classes",
        type=common.name_list(lambda: ("all", *CLASS_SETS)),
        default=list(baselines.CLASS_SETS),
        help="all (each corpus's own classes) and/or class sets of serzoo.emotions.CLASS_SETS (default all,shared6)",
    )
    parser.add_argument(
        "--normalisations",
        type=common.name_list(lambda: NORMALISATIONS),
        default=["global", "speaker"],
        help="default global,speaker",
    )
    parser.add_argument(
        "--classifiers", type=common.name_list(lambda: CLASSIFIERS), default=list(CLASSIFIERS), help="default svm,dnn"
    )
    parser.add_argument("--seeds", type=common.int_list, default=[0, 1, 2], help="DNN seeds (the SVM runs once)")
    common.add_manual_dir_option(parser)
    parser.add_argument("--data-dir", default=None, help="TFDS data dir (default ~/tensorflow_datasets)")
    common.add_jobs_option(parser)
    parser.add_argument("--output-dir", default="results/baselines", help="report, results and units.jsonl")
    parser.add_argument("--fresh", action="store_true", help="discard finished units in --output-dir")
    parser.set_defaults(run=run)


def run(args) -> int:
    from serzoo import report
    from serzoo.experiments.baselines import baseline_cells, baselines_table, render_report, run_baselines

    cells = baseline_cells(
        args.corpora, args.feature_sets, args.classes, args.normalisations, args.classifiers, args.seeds
    )
    store = common.unit_store(args, {"experiment": "baselines"})
    result = run_baselines(cells, store=store, jobs=args.jobs, data_dir=args.data_dir, manual_dir=args.manual_dir)
    path = report.write_report(args.output_dir, render_report(result, args.output_dir), result)
    print(baselines_table(result))
    print(f"\nwrote {path}")
    return 0
