"""``serzoo frame-generators``: the frame-level AAE's contour terms, measured as generator, classifier and
augmentation (issue 32), resumable."""

from serzoo.cli import common

HELP = (
    "frame-level generators whose contours move: each contour term's effect on contour realism (GV, delta spread, "
    "modulation spectrum, functionals TRTS/TSTR/MMD), the AAE classifier and augmentation at equal updates"
)


def register(sub) -> None:
    from serzoo.experiments.frame_generators import VARIANTS

    parser = sub.add_parser("frame-generators", help=HELP)
    common.add_data_options(parser, "emodb/compare_lld", seeds=False)
    parser.add_argument(
        "--variants",
        type=common.name_list(lambda: VARIANTS),
        default=["paper"],
        help=f"comma-separated, of: {', '.join(VARIANTS)}",
    )
    common.add_seeds_option(parser)
    parser.add_argument("--epochs", type=int, default=None, help="default: the paper schedule's 100")
    common.add_groups_option(parser)
    common.add_held_out_option(parser)
    parser.add_argument(
        "--augment",
        action="store_true",
        help="also train the frame-level CNN and the functionals classifiers with and without the generated "
        "contours, at equal updates",
    )
    parser.add_argument(
        "--output-dir",
        default="results/frame_generators",
        help="report folder and unit store (default results/frame_generators)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="discard finished units in --output-dir (default: resume an interrupted run)",
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    from serzoo import report
    from serzoo.data import load_corpus
    from serzoo.experiments.frame_generators import render_report, run_frame_generators
    from serzoo.experiments.resume import UnitStore
    from serzoo.schedules import training_for

    corpus = load_corpus(args.dataset, data_dir=args.data_dir, manual_dir=common.manual_dir(args))
    training = training_for("semi_aae_frames", "paper", epochs=args.epochs)
    if args.fresh:
        UnitStore.discard(args.output_dir)
    result = run_frame_generators(
        corpus,
        variants=args.variants,
        seeds=args.seeds,
        epochs=training.epochs,
        batch_size=training.batch_size,
        learning_rate=training.learning_rate,
        groups=common.groups(args, corpus),
        held_out=args.held_out,
        max_folds=args.folds,
        normalisation=args.normalisation,
        augment=args.augment,
        output_dir=args.output_dir,
    )
    markdown = render_report(result, args.output_dir)
    print(markdown)
    print(f"wrote {report.write_report(args.output_dir, markdown, result)}")
    return 0
