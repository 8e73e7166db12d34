"""The ``serzoo`` command. Heavy imports (TensorFlow) happen inside the subcommands."""

from __future__ import annotations

import argparse
import os
import sys

from serzoo.augment import EXPORTABLE_SCHEMES as EXPORTABLE

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
        normalisation=args.normalisation, max_folds=args.folds, seed=args.seed, scheme=args.scheme,
        epochs=args.epochs, export_root=args.export_root,
        **({"learning_rate": args.learning_rate} if args.learning_rate else {}),
    )
    print(f"done in {summary['seconds']:.0f} s: see {args.output_dir}/report.md")
    return 0


def cmd_verify_corpus(args) -> int:
    from serzoo.verify_corpus import verify_corpus

    report = verify_corpus(args.corpus, args.manual_dir)
    ok = report.ok if args.strict else report.layout_ok
    print("\nverdict: " + ("OK" if ok else "PROBLEMS (see above)"))
    return 0 if ok else 1


def _int_list(text: str) -> list[int]:
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from err


def set_tensorflow_threads(threads: int | None) -> None:
    """TensorFlow's intra-/inter-op thread pools (before any op runs)."""
    if threads:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)


def cmd_reproduce(args) -> int:
    _quiet_tensorflow()
    set_tensorflow_threads(args.threads)
    from serzoo.experiments import yi_mak

    epochs = {m: args.epochs for m in yi_mak.PAPER_EPOCHS} if args.epochs else {}
    yi_mak.reproduce(
        manual_dir=_manual_dir(args), data_dir=args.data_dir, output_dir=args.output_dir,
        dataset=args.dataset, methods=args.methods.split(",") if args.methods else yi_mak.METHODS, ks=args.ks,
        headline_k=args.headline_k,
        classifiers=args.classifiers.split(","), seeds=args.seeds, epochs=epochs, max_folds=args.folds,
        held_out=args.held_out.split(",") if args.held_out else None,
        synthetic_only=not args.no_synthetic_only, fresh=args.fresh, report_only=args.report_only,
    )
    return 0


def cmd_code_vectors(args) -> int:
    _quiet_tensorflow()
    from serzoo.data import load_corpus
    from serzoo.experiments.code_vectors import run_code_vectors, write_report

    corpus = load_corpus(args.dataset, data_dir=args.data_dir, manual_dir=_manual_dir(args))
    result = run_code_vectors(corpus, code_dim=args.code_dim, ae_code_dim=args.ae_code_dim, epochs=args.epochs,
                              n_synthetic=args.n_synthetic, seed=args.seed, max_folds=args.folds)
    print(write_report(result, args.output_dir))
    return 0


def cmd_compare_generators(args) -> int:
    _quiet_tensorflow()
    from serzoo.data import load_corpus
    from serzoo.experiments.generator_comparison import run_generator_comparison, write_report

    corpus = load_corpus(args.dataset, data_dir=args.data_dir, manual_dir=_manual_dir(args))
    result = run_generator_comparison(
        corpus, args.output_dir, models=args.models.split(","), epochs=args.epochs, optimizers=args.optimizers,
        n_synthetic=args.n_synthetic, seed=args.seed, max_folds=args.folds, fresh=args.fresh)
    print(write_report(result, args.output_dir))
    return 0


def cmd_export(args) -> int:
    _quiet_tensorflow()
    from serzoo.data import load_corpus
    from serzoo.experiments.train_export import train_and_export

    corpus = load_corpus(args.dataset, data_dir=args.data_dir, manual_dir=_manual_dir(args))
    held_out = set(args.hold_out.split(",")) if args.hold_out else set()
    unknown = held_out - set(corpus.splits)
    if unknown:
        raise ValueError(f"--hold-out {sorted(unknown)}: no such split; splits are {list(corpus.splits)}")
    path, _, _ = train_and_export(
        corpus, args.scheme, train_splits=[s for s in corpus.splits if s not in held_out], epochs=args.epochs,
        seed=args.seed, root=args.root, name=args.name, version=args.version, overwrite=args.overwrite,
    )
    print(f"exported to {path}")
    return 0


def _float_list(text: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from err


def cmd_cross_corpus(args) -> int:
    _quiet_tensorflow()
    import pathlib

    from serzoo import plots, report
    from serzoo.data import load_corpus
    from serzoo.experiments.cross_corpus import cross_corpus_table, run_cross_corpus

    source = load_corpus(args.source, data_dir=args.data_dir, manual_dir=args.source_manual_dir)
    target = load_corpus(args.target, data_dir=args.data_dir, manual_dir=args.target_manual_dir)
    result = run_cross_corpus(source, target, fractions=args.fractions, n_synthetic=args.n_synthetic,
                              method=args.method, classifier=args.classifier, seeds=args.seeds, epochs=args.epochs)
    out = pathlib.Path(args.output_dir)
    report.write_json(result, out / "results.json")
    plots.cross_corpus_png(result, out / "cross_corpus.png")
    table = cross_corpus_table(result)
    (out / "report.md").write_text(
        f"# {result['source']} → {result['target']}\n\nShared classes: {', '.join(result['classes'])}. "
        f"Augmentation: {result['method']}; classifier: {result['classifier']}; UAR % on the whole target "
        f"corpus, mean ± std over seeds {args.seeds}.\n\n{table}\n\n![curves](cross_corpus.png)\n", encoding="utf-8")
    print(table)
    print(f"\nwrote {out}/report.md")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="serzoo", description="Adversarial data augmentation for speech emotion recognition."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the whole pipeline (default: embedded synthetic corpus)")
    _add_data_options(demo, "synth_emo/is11")
    demo.add_argument("--output-dir", default="serzoo_demo_report", help="report folder")
    demo.add_argument("--scheme", choices=EXPORTABLE, default="adan", help="generator (default adan)")
    demo.add_argument("--epochs", type=int, default=300, help="generator training epochs (default 300)")
    demo.add_argument("--learning-rate", type=float, default=None,
                      help="Adam rate of every generator player (default 1e-3, see serzoo.experiments.demo)")
    demo.add_argument("--export-root", default="exported", help="where the generator is exported")
    demo.set_defaults(func=cmd_demo)

    evaluate = sub.add_parser("evaluate", help="leave-one-speaker-out evaluation of a baseline classifier")
    _add_data_options(evaluate, "emodb/is11")
    evaluate.add_argument("--classifier", choices=("svm", "dnn"), default="svm")
    evaluate.add_argument("--epochs", type=int, default=None, help="DNN epochs (default 100)")
    evaluate.add_argument("--output", default=None, help="JSON result path (default results/...)")
    evaluate.set_defaults(func=cmd_evaluate)

    reproduce = sub.add_parser("reproduce", help="reproduce a paper's experiment (yi-mak-emodb)")
    reproduce.add_argument("experiment", choices=("yi-mak-emodb",))
    _add_data_options(reproduce, "emodb/is11")
    reproduce.set_defaults(seed=None)
    reproduce.add_argument("--methods", default=None,
                           help="comma-separated (default: the paper's duplicate,noise,smote,gan,cgan,aae,adan,wadan)")
    reproduce.add_argument("--classifiers", default="svm,dnn")
    reproduce.add_argument("--ks", type=_int_list, default=[0, 10], help="numbers of synthetic sets, e.g. 0,1,2,5,10")
    reproduce.add_argument("--headline-k", type=int, default=10, help="k of the headline table (fixed in advance)")
    reproduce.add_argument("--seeds", type=_int_list, default=[0], help="e.g. 0,1,2")
    reproduce.add_argument("--epochs", type=int, default=None,
                           help="epochs of every adversarial scheme (default: ADAN 800, WADAN 1500, GAN/cGAN 800)")
    reproduce.add_argument("--no-synthetic-only", action="store_true",
                           help="skip the synthetic-only classifiers (halves the classifier time)")
    reproduce.add_argument("--output-dir", default="results/yi_mak_emodb")
    reproduce.add_argument("--held-out", default=None,
                           help="only the folds holding out these groups, e.g. speaker13,speaker14 (processes "
                           "with disjoint --held-out may share --output-dir; run without it for the full report)")
    reproduce.add_argument("--report-only", action="store_true",
                           help="compute nothing: report the folds finished so far in --output-dir")
    reproduce.add_argument("--threads", type=int, default=None,
                           help="TensorFlow threads (two 1-thread processes on disjoint --held-out folds fit "
                           "WADAN-sized generators 1.3× sooner on 2 cores than one process; see BENCHMARKS.md)")
    reproduce.add_argument("--fresh", action="store_true",
                           help="discard finished units in --output-dir (default: resume an interrupted run)")
    reproduce.set_defaults(func=cmd_reproduce)

    codes = sub.add_parser("code-vectors", help="Sahu et al. 2017: SVM on AAE codes vs features/AE/LDA/PCA; "
                           "synthetic data from the AAE")
    _add_data_options(codes, "emodb/is10")
    codes.add_argument("--code-dim", type=int, default=2, help="AAE code size (paper: 2)")
    codes.add_argument("--ae-code-dim", type=int, default=100, help="plain autoencoder code size (paper: <= 100)")
    codes.add_argument("--epochs", type=int, default=300)
    codes.add_argument("--n-synthetic", type=int, default=100, help="synthetic vectors per class (paper: 100)")
    codes.add_argument("--output-dir", default="results/code_vectors")
    codes.set_defaults(func=cmd_code_vectors)

    generators = sub.add_parser("compare-generators", help="Sahu et al. (TAC): M1/M2/M3 scored by metrics 1-3 "
                                "(TRTS, TSTR on training and held-out speakers, FID), t-SNE and loss curves")
    _add_data_options(generators, "emodb/is10")
    generators.add_argument("--models", default="m1,m2,m3", help="comma-separated (default m1,m2,m3)")
    generators.add_argument("--epochs", type=int, default=300)
    generators.add_argument("--optimizers", choices=("paper", "adam"), default="paper",
                            help="the paper's per-player SGD (default) or Adam 1e-4 everywhere")
    generators.add_argument("--n-synthetic", type=int, default=None,
                            help="balanced synthetic vectors per fold (default: the training fold's size)")
    generators.add_argument("--output-dir", default="results/generator_comparison")
    generators.add_argument("--fresh", action="store_true",
                            help="discard finished units in --output-dir (default: resume an interrupted run)")
    generators.set_defaults(func=cmd_compare_generators)

    exporter = sub.add_parser("export", help="train a generator and export it as a SavedModel")
    _add_data_options(exporter, "synth_emo/is11")
    exporter.add_argument("--scheme", choices=EXPORTABLE, default="adan")
    exporter.add_argument("--epochs", type=int, default=300)
    exporter.add_argument("--hold-out", default="", help="comma-separated splits kept out of training")
    exporter.add_argument("--root", default="exported")
    exporter.add_argument("--name", default=None, help="default <scheme>_<dataset>_<config>")
    exporter.add_argument("--version", default="1")
    exporter.add_argument("--overwrite", action="store_true", help="replace an existing version")
    exporter.set_defaults(func=cmd_export)

    cross = sub.add_parser("cross-corpus", help="train on one corpus (+ synthetic data), test on another")
    cross.add_argument("--source", required=True, help="e.g. iemocap/is10_four_class or emodb/is11")
    cross.add_argument("--target", required=True, help="e.g. msp_improv/is10_four_class or synth_emo/is11")
    cross.add_argument("--source-manual-dir", default=None)
    cross.add_argument("--target-manual-dir", default=None)
    cross.add_argument("--data-dir", default=None, help="TFDS data dir (default ~/tensorflow_datasets)")
    cross.add_argument("--method", default="smote", help="augmentation method (smote, noise, adan, wadan, ...)")
    cross.add_argument("--classifier", choices=("svm", "dnn"), default="svm")
    cross.add_argument("--fractions", type=_float_list, default=[0.1, 0.25, 0.5, 0.8, 1.0])
    cross.add_argument("--n-synthetic", type=_int_list, default=[0, 600, 2000, 6000])
    cross.add_argument("--seeds", type=_int_list, default=[0])
    cross.add_argument("--epochs", type=int, default=None, help="epochs of an adversarial method")
    cross.add_argument("--output-dir", default="results/cross_corpus")
    cross.set_defaults(func=cmd_cross_corpus)

    verify = sub.add_parser("verify-corpus", help="check a corpus copy's layout and counts before building")
    verify.add_argument("corpus", choices=("iemocap", "msp_improv", "emodb"))
    verify.add_argument("--manual-dir", required=True, help="the folder holding the corpus")
    verify.add_argument("--strict", action="store_true", help="also fail when counts differ from the published ones")
    verify.set_defaults(func=cmd_verify_corpus)

    build = sub.add_parser("build", help="extract features and build the TFDS dataset")
    _add_data_options(build, "emodb/is11")
    build.set_defaults(func=cmd_build)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError, FileExistsError) as err:
        print(f"serzoo {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
