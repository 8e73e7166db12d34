"""``serzoo presets``: the pretrained generators (shipped ones, ``$SERZOO_PRESETS_DIR``, or a folder), with their
recipes."""

HELP = "list the pretrained generators (presets) with their recipes and measured utility"


def register(sub) -> None:
    from serzoo.cli import common
    from serzoo.zoo import PRESETS_ENV

    parser = sub.add_parser("presets", help=HELP)
    parser.add_argument(
        "--export-root",
        default=None,
        help=f"folder of exports to list (default: ${PRESETS_ENV}, then the presets shipped with serzoo)",
    )
    common.add_renamed_option(parser, "--root", "--export-root")
    parser.set_defaults(run=run, needs_tensorflow=False)


def run(args) -> int:
    from serzoo.zoo import presets_table

    print(presets_table(args.export_root))
    return 0
