"""``serzoo semi-aae``: the semi-supervised AAE experiment (ICASSP 2019 protocol), resumable."""

from serzoo.cli import common

HELP = "semi-supervised AAE vs its supervised baseline (ICASSP 2019 protocol), any labelled fraction"
#: ``--labels`` of rated corpora (IEMOCAP, MSP-IMPROV): the builders' 3-bin attribute classes (the paper's labels).
ATTRIBUTE_LABELS = {"activation3": "activation_class", "valence3": "valence_class", "dominance3": "dominance_class"}


def register(sub) -> None:
    from serzoo.experiments.semi_aae import LEVELS, METHODS

    parser = sub.add_parser("semi-aae", help=HELP)
    common.add_data_options(parser, "emodb/is11", seeds=False)
    parser.add_argument(
        "--level",
        choices=LEVELS,
        default="utterance",
        help="utterance: functionals and the MLP; frames: a frame-level set (compare_lld) and the "
        "Conv1D model of Table 2",
    )
    parser.add_argument(
        "--labels",
        choices=("categories", "arousal", "valence", *ATTRIBUTE_LABELS),
        default="categories",
        help="the corpus's categories; EmoDB's binary arousal/valence grouping (Schuller et al. 2009); "
        "or a rated corpus's low/mid/high attribute (IEMOCAP, MSP-IMPROV: activation3, valence3, "
        "dominance3, as the paper's Table 1; use a label scheme with every utterance, e.g. "
        "iemocap/is13_all)",
    )
    parser.add_argument(
        "--methods",
        type=common.name_list(lambda: METHODS),
        default=list(METHODS),
        help=f"comma-separated methods (default {','.join(METHODS)})",
    )
    common.add_seeds_option(parser, what="random seeds, one run each (the paper: 10 runs)")
    parser.add_argument(
        "--fractions",
        type=common.float_list,
        default=[1.0],
        help="labelled share of each class's training utterances, e.g. 0.1,0.25,0.5,1",
    )
    common.add_training_options(parser, "paper")
    parser.add_argument("--crop-frames", type=int, default=None, help="frame level: frames per crop (default 512)")
    common.add_held_out_option(parser)
    parser.add_argument("--output-dir", default="results/semi_aae", help="report folder (default results/semi_aae)")
    parser.add_argument("--fresh", action="store_true", help="discard finished units in --output-dir")
    parser.set_defaults(run=run)


def run(args) -> int:
    from serzoo import report
    from serzoo.data import load_corpus, map_classes
    from serzoo.experiments.semi_aae import check_fractions, check_run, render_report, run_semi_aae
    from serzoo.schedules import training_for

    check_fractions(args.fractions)
    corpus = load_corpus(
        args.dataset,
        data_dir=args.data_dir,
        manual_dir=common.manual_dir(args),
        label=ATTRIBUTE_LABELS.get(args.labels, "label"),
    )
    if args.labels in ("arousal", "valence"):
        corpus = map_classes(corpus, args.labels)
    check_run(corpus, args.level, args.fractions)  # before --fresh discards anything
    training = training_for(
        "semi_aae", args.schedule, epochs=args.epochs, learning_rate=args.learning_rate, batch_size=args.batch_size
    )
    options = {"crop_frames": args.crop_frames} if args.crop_frames else {}
    if args.fresh:
        from serzoo.experiments.resume import UnitStore

        UnitStore.discard(args.output_dir)
    result = run_semi_aae(
        corpus,
        level=args.level,
        methods=args.methods,
        seeds=args.seeds,
        fractions=args.fractions,
        epochs=training.epochs,
        batch_size=training.batch_size,
        learning_rate=training.learning_rate,
        max_folds=args.folds,
        held_out=args.held_out,
        output_dir=args.output_dir,
        options=options,
        normalisation=args.normalisation,
    )
    markdown = render_report(result)
    print(markdown)
    print(f"wrote {report.write_report(args.output_dir, markdown, result)}")
    return 0
