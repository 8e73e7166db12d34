"""``serzoo build``: extract features and build the TFDS dataset of a corpus (locally, or on Apache Beam)."""

from serzoo.cli import common

HELP = "extract features and build the TFDS dataset"


def register(sub) -> None:
    from serzoo.beam_options import EXAMPLE

    parser = sub.add_parser("build", help=HELP)
    common.add_data_options(parser, "emodb/is11", folds=False, normalisation=False, seeds=False)
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="build the dataset again even if it exists (needed when the manual dir changed)",
    )
    parser.add_argument(
        "--beam",
        metavar="OPTIONS",
        default=None,
        help=f"build through Apache Beam with these comma-separated pipeline options, e.g. {EXAMPLE!r} (two local "
        "worker processes) or 'runner=FlinkRunner,flink_master=HOST:8081,environment_type=LOOPBACK'; needs the "
        '[beam] extra (pip install -e ".[beam]"); an option Beam does not know is an error; a dataset that exists is '
        "reused (add --rebuild). See docs/scaling.md",
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    from serzoo import beam_options
    from serzoo.data import load_corpus

    with beam_options.requested(args.beam):
        corpus = load_corpus(
            args.dataset, data_dir=args.data_dir, manual_dir=common.manual_dir(args), rebuild=args.rebuild
        )
    for name, split in corpus.splits.items():
        print(f"{name}: {split.y.size} utterances, {split.x.shape[1:] or 'frames'} features")
    return 0
