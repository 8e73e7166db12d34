"""``serzoo presets``: the pretrained generators shipped in ``exported/`` (or another folder), with their recipes."""

HELP = "list the pretrained generators (presets) in exported/ with their recipes and measured utility"


def register(sub) -> None:
    from serzoo.zoo import DEFAULT_ROOT

    parser = sub.add_parser("presets", help=HELP)
    parser.add_argument("--root", default=DEFAULT_ROOT, help=f"folder of exports (default {DEFAULT_ROOT})")
    parser.set_defaults(run=run, needs_tensorflow=False)


def run(args) -> int:
    from serzoo.zoo import presets_table

    print(presets_table(args.root))
    return 0
