"""``serzoo verify-corpus``: check a corpus copy's layout and counts before building."""

HELP = "check a corpus copy's layout and counts before building"


def register(sub) -> None:
    from serzoo.verify_corpus import CORPORA

    parser = sub.add_parser("verify-corpus", help=HELP)
    parser.add_argument("corpus", choices=CORPORA, help="the corpus to check")
    parser.add_argument("--manual-dir", required=True, help="the folder holding the corpus")
    parser.add_argument("--strict", action="store_true", help="also fail when counts differ from the published ones")
    parser.set_defaults(run=run, needs_tensorflow=False)


def run(args) -> int:
    from serzoo.verify_corpus import verify_corpus

    report = verify_corpus(args.corpus, args.manual_dir)
    ok = report.ok if args.strict else report.layout_ok
    print("\nverdict: " + ("OK" if ok else "PROBLEMS (see above)"))
    return 0 if ok else 1
