"""``serzoo schemes``: the registered schemes and how a schedule trains each of them."""

HELP = "list the registered schemes and their training settings under a schedule"


def register(sub) -> None:
    from serzoo.cli import common

    parser = sub.add_parser("schemes", help=HELP)
    common.add_schedule_option(parser, "serzoo")
    parser.set_defaults(run=run, needs_tensorflow=False)


def run(args) -> int:
    from serzoo.models import get_scheme, scheme_names
    from serzoo.schedules import schedule_table

    print(
        "| scheme | what | paper | kind | exportable | searched by `serzoo tune` (besides every player's rate) |\n"
        "|---|---|---|---|---|---|"
    )
    for name in scheme_names():
        spec = get_scheme(name)
        knobs = ((spec.latent,) if spec.latent else ()) + tuple(spec.knobs)
        kind = "generator" if spec.generator else f"classifier only ({spec.classifier or 'no wrapper'})"
        searched = ", ".join(k.name for k in knobs) if spec.generator else "not searched (no generator)"
        print(
            f"| {name} | {spec.summary} | {spec.paper} | {kind} | {'yes' if spec.exportable else 'no'} | "
            f"{searched or '-'} |"
        )
    print(f"\nTraining under schedule `{args.schedule}`:\n")
    print(schedule_table(args.schedule, scheme_names()))
    return 0
