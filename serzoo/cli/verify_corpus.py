"""``serzoo verify-corpus``: check a corpus copy's layout and counts before building."""

HELP = "check a corpus copy's layout and counts before building"


def register(sub) -> None:
    from serzoo.data import manual_dir_env
    from serzoo.verify_corpus import CORPORA

    parser = sub.add_parser("verify-corpus", help=HELP)
    parser.add_argument("corpus", choices=CORPORA, help="the corpus to check")
    parser.add_argument(
        "--manual-dir",
        default=None,
        help=f"the folder holding the corpus (default ${manual_dir_env('CORPUS')}, e.g. ${manual_dir_env('emovo')})",
    )
    parser.add_argument("--strict", action="store_true", help="also fail when counts differ from the published ones")
    parser.set_defaults(run=run, needs_tensorflow=False)


def run(args) -> int:
    import os

    from serzoo.data import manual_dir_env
    from serzoo.verify_corpus import verify_corpus

    folder = args.manual_dir or os.environ.get(manual_dir_env(args.corpus))
    if not folder:
        raise ValueError(f"where is {args.corpus}? pass --manual-dir PATH or set ${manual_dir_env(args.corpus)}")
    report = verify_corpus(args.corpus, folder)
    ok = report.ok if args.strict else report.layout_ok
    print("\nverdict: " + ("OK" if ok else "PROBLEMS (see above)"))
    return 0 if ok else 1
