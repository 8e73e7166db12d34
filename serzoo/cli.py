"""The ``serzoo`` command. Heavy imports (TensorFlow) happen inside the subcommands."""

from __future__ import annotations

import argparse
import os
import sys

EMODB_ENV = "SERZOO_EMODB_DIR"


def _add_data_options(parser: argparse.ArgumentParser, default_dataset: str) -> None:
    parser.add_argument("--dataset", default=default_dataset,
                        help=f"NAME/FEATURES, e.g. emodb/is11, synth_emo/egemaps (default {default_dataset})")
    parser.add_argument("--manual-dir", default=None,
                        help=f"folder holding the corpus (EmoDB: the one with wav/); default ${EMODB_ENV}")
    parser.add_argument("--data-dir", default=None, help="TFDS data dir (default ~/tensorflow_datasets)")
    parser.add_argument("--folds", type=int, default=None, help="only the first N leave-one-out folds")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--normalisation", choices=("global", "speaker"), default="global",
                        help="z-norm with training-fold statistics (global) or per speaker")


def _manual_dir(args) -> str | None:
    if args.manual_dir:
        return args.manual_dir
    if args.dataset.startswith("emodb"):
        return os.environ.get(EMODB_ENV)
    return None


def _quiet_tensorflow() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def cmd_build(args) -> int:
    _quiet_tensorflow()
    from serzoo.data import load_corpus

    corpus = load_corpus(args.dataset, data_dir=args.data_dir, manual_dir=_manual_dir(args))
    for name, split in corpus.splits.items():
        print(f"{name}: {split.y.size} utterances, {split.x.shape[1:] or 'frames'} features")
    return 0


def cmd_evaluate(args) -> int:
    _quiet_tensorflow()
    from serzoo import report
    from serzoo.data import load_corpus
    from serzoo.experiments.loso import evaluate_classifier

    corpus = load_corpus(args.dataset, data_dir=args.data_dir, manual_dir=_manual_dir(args))
    options = {"epochs": args.epochs} if args.epochs is not None and args.classifier == "dnn" else {}
    result = evaluate_classifier(
        corpus, args.classifier, normalisation=args.normalisation, seed=args.seed,
        max_folds=args.folds, **options,
    )
    print(report.fold_table(result))
    print()
    print(report.results_table([result]))
    output = args.output or (
        f"results/{corpus.name}_{corpus.feature_set}_{args.classifier}_{args.normalisation}_seed{args.seed}.json"
    )
    print(f"\nwrote {report.write_json(result, output)}")
    return 0


def cmd_demo(args) -> int:
    _quiet_tensorflow()
    from serzoo.experiments.demo import run_demo

    summary = run_demo(
        args.dataset, output_dir=args.output_dir, data_dir=args.data_dir, manual_dir=_manual_dir(args),
        normalisation=args.normalisation, max_folds=args.folds, seed=args.seed,
    )
    print(f"done in {summary['seconds']:.0f} s: see {args.output_dir}/report.md")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="serzoo", description="Adversarial data augmentation for speech emotion recognition."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the whole pipeline (default: embedded synthetic corpus)")
    _add_data_options(demo, "synth_emo/is11")
    demo.add_argument("--output-dir", default="serzoo_demo_report", help="report folder")
    demo.set_defaults(func=cmd_demo)

    evaluate = sub.add_parser("evaluate", help="leave-one-speaker-out evaluation of a baseline classifier")
    _add_data_options(evaluate, "emodb/is11")
    evaluate.add_argument("--classifier", choices=("svm", "dnn"), default="svm")
    evaluate.add_argument("--epochs", type=int, default=None, help="DNN epochs (default 100)")
    evaluate.add_argument("--output", default=None, help="JSON result path (default results/...)")
    evaluate.set_defaults(func=cmd_evaluate)

    build = sub.add_parser("build", help="extract features and build the TFDS dataset")
    _add_data_options(build, "emodb/is11")
    build.set_defaults(func=cmd_build)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError) as err:
        print(f"serzoo {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
