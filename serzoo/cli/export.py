"""``serzoo export``: train a generator on a corpus's training groups and export it as a SavedModel."""

from serzoo.cli import common

HELP = "train a generator and export it as a SavedModel"


def register(sub) -> None:
    from serzoo.models import scheme_names

    parser = sub.add_parser("export", help=HELP)
    common.add_data_options(parser, "emodb/is11", folds=False, normalisation=False)
    parser.add_argument(
        "--scheme",
        type=common.generator_name("serzoo export --scheme"),
        choices=scheme_names(exportable=True),
        default=None,
        help="default: the --hparams file's scheme, else adan",
    )
    common.add_training_options(parser, "serzoo")
    common.add_hparams_option(
        parser,
        "train with the search's chosen options and training (replaces the schedule; --epochs, "
        "--learning-rate and --batch-size still override it)",
    )
    common.add_recipe_option(parser)
    parser.add_argument(
        "--k",
        type=int,
        default=None,
        help="synthetic sets the generator is meant to be used with (recorded with --recipe in the "
        "manifest; augment(x, y, path) applies both)",
    )
    parser.add_argument(
        "--held-out", default="", help="comma-separated splits kept out of training, e.g. speaker03,speaker08"
    )
    common.add_renamed_option(parser, "--hold-out", "--held-out")
    parser.add_argument(
        "--export-root",
        default="exported",
        help="folder of exports: the export is written to EXPORT_ROOT/NAME/EXPORT_VERSION (default exported)",
    )
    parser.add_argument("--name", default=None, help="the export's name (default <scheme>_<dataset>_<features>)")
    parser.add_argument("--export-version", default="1", help="the export's version folder (default 1)")
    parser.add_argument(
        "--overwrite", action="store_true", help="replace an existing export (never a folder that is not one)"
    )
    common.add_renamed_option(parser, "--root", "--export-root")
    common.add_renamed_option(
        parser, "--version", "--export-version (the export's folder; `serzoo --version` is serzoo's)"
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    from serzoo.data import load_corpus
    from serzoo.experiments.train_export import train_and_export
    from serzoo.export import export_path

    settings = list(common.tuned_settings(args).values())  # the whole file checked before the corpus loads
    if len(settings) > 1:
        raise ValueError("--hparams: export one scheme at a time (give one file)")
    setting = settings[0] if settings else None
    scheme = args.scheme or (setting.scheme if setting else "adan")
    export_path(args.export_root, args.name or "name", args.export_version)  # one folder name each, before any work
    corpus = load_corpus(args.dataset, data_dir=args.data_dir, manual_dir=common.manual_dir(args))
    held_out = set(args.held_out.split(",")) if args.held_out else set()
    unknown = held_out - set(corpus.splits)
    if unknown:
        raise ValueError(f"--held-out {sorted(unknown)}: no such split; splits are {list(corpus.splits)}")
    path, _, _ = train_and_export(
        corpus,
        scheme,
        setting=setting,
        train_splits=[s for s in corpus.splits if s not in held_out],
        seed=common.one_seed(args),
        root=args.export_root,
        name=args.name,
        version=args.export_version,
        overwrite=args.overwrite,
        recipe=common.recipe(args),
        recipe_k=args.k,
        **common.training_kwargs(args),
    )
    print(f"exported to {path}")
    return 0
