"""``serzoo build``: extract features and build the TFDS dataset of a corpus."""

from serzoo.cli import common

HELP = "extract features and build the TFDS dataset"


def register(sub) -> None:
    parser = sub.add_parser("build", help=HELP)
    common.add_data_options(parser, "emodb/is11", folds=False, normalisation=False, seeds=False)
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="build the dataset again even if it exists (needed when the manual dir changed)",
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    from serzoo.data import load_corpus

    corpus = load_corpus(args.dataset, data_dir=args.data_dir, manual_dir=common.manual_dir(args), rebuild=args.rebuild)
    for name, split in corpus.splits.items():
        print(f"{name}: {split.y.size} utterances, {split.x.shape[1:] or 'frames'} features")
    return 0
