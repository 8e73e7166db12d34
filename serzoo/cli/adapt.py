"""``serzoo adapt``: a classifier for your own unlabelled WAVs, trained on labelled source corpora."""

from serzoo.cli import common

HELP = "train a classifier for your unlabelled WAVs from labelled corpora (domain-adversarial) and export it"


def register(sub) -> None:
    from serzoo.adapt import METHODS

    parser = sub.add_parser("adapt", help=HELP)
    parser.add_argument(
        "--source",
        default="emodb+ravdess+emovo/egemaps+shared6",
        help="labelled source dataset spec (default emodb+ravdess+emovo/egemaps+shared6)",
    )
    parser.add_argument("--target-dir", required=True, help="folder holding your WAV files (searched recursively)")
    common.add_manual_dir_option(parser)
    parser.add_argument("--data-dir", default=None, help="TFDS data dir (default ~/tensorflow_datasets)")
    parser.add_argument(
        "--classifier",
        choices=METHODS,
        default="dnn",
        help="dnn (the source only, your speech normalised with its own statistics; default: on the three corpora "
        "it beat the DANN on every corpus pair, docs/regimes.md) or dann (the source and your unlabelled speech)",
    )
    common.add_renamed_option(parser, "--method", "--classifier")
    parser.add_argument("--epochs", type=int, default=None, help="epochs over the labelled rows (default 100)")
    common.add_seeds_option(parser, one=True)
    parser.add_argument(
        "--skip-bad-audio", action="store_true", help="skip (and list) unreadable or broken WAVs instead of stopping"
    )
    parser.add_argument("--overwrite", action="store_true", help="train again and replace an earlier adaptation")
    parser.add_argument("--output-dir", required=True, help="classifier/, predictions.csv, report.md, results.json")
    parser.set_defaults(run=run)


def run(args) -> int:
    from serzoo.adapt import PREDICTIONS, adapt

    result = adapt(
        args.source,
        args.target_dir,
        args.output_dir,
        method=args.classifier,
        manual_dir=args.manual_dir,
        data_dir=args.data_dir,
        seed=common.one_seed(args),
        skip_bad_audio=args.skip_bad_audio,
        overwrite=args.overwrite,
        options={} if args.epochs is None else {"epochs": args.epochs},
    )
    shares = ", ".join(f"{name} {100 * share:.1f} %" for name, share in result["predicted_shares"].items())
    print(f"{result['target_files']} files; predicted: {shares}")
    print(f"classifier: {result['export']}; predictions: {args.output_dir}/{PREDICTIONS}")
    return 0
