"""What several commands share: data and training options, quiet TensorFlow, threads, TensorBoard, list parsers.

Nothing here imports TensorFlow at import time, so ``serzoo --help`` stays instant.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

#: Environment variables a command run sets for itself and its worker processes (restored when it returns).
PROCESS_SETTINGS = ("SERZOO_VERBOSE", "SERZOO_TENSORBOARD_DIR")


def add_data_options(
    parser: argparse.ArgumentParser,
    default_dataset: str = "emodb/is11",
    *,
    folds: bool = True,
    normalisation: bool = True,
    seeds: bool = True,
) -> None:
    """``--dataset``, ``--manual-dir``, ``--data-dir``; ``--folds``, ``--normalisation`` and ``--seeds`` (one seed:
    :func:`one_seed`) for the commands that use them."""
    from serzoo.data import NORMALISATIONS

    parser.add_argument(
        "--dataset",
        default=default_dataset,
        help=f"CORPUS[+CORPUS]/FEATURES[+CLASSES], e.g. emodb/is11, ravdess/egemaps+shared6, "
        f"emodb+ravdess+emovo/is11+shared6 (default {default_dataset})",
    )
    add_manual_dir_option(parser)
    parser.add_argument("--data-dir", default=None, help="TFDS data dir (default ~/tensorflow_datasets)")
    if folds:
        parser.add_argument("--folds", type=int, default=None, help="only the first N leave-one-out folds")
    if seeds:
        add_seeds_option(parser, one=True)
    if normalisation:
        parser.add_argument(
            "--normalisation",
            choices=NORMALISATIONS,
            default="global",
            help="z-norm with the training groups' statistics (global), each speaker's own (speaker) or each "
            "corpus's own (corpus)",
        )


def add_seeds_option(parser: argparse.ArgumentParser, *, one: bool = False, what: str = "random seeds") -> None:
    """``--seeds`` (comma-separated; ``one``: the command runs one, :func:`one_seed`); ``--seed`` is refused."""
    parser.add_argument(
        "--seeds",
        type=int_list,
        default=[0],
        metavar="SEED[,SEED...]",
        help=f"{what}, comma-separated (default 0)" + ("; this command runs one" if one else ", e.g. 0,1,2"),
    )
    add_renamed_option(parser, "--seed", "--seeds")
    if one:
        parser.set_defaults(runs_one_seed=True)  # checked by prepare(), before any work


def one_seed(args) -> int:
    """The one seed of a command that runs one (``--seeds N``)."""
    if len(args.seeds) != 1:
        raise ValueError(
            f"--seeds {','.join(map(str, args.seeds))}: `serzoo {args.command}` runs one seed; run it once per seed"
        )
    return args.seeds[0]


def add_manual_dir_option(parser: argparse.ArgumentParser) -> None:
    from serzoo.data import manual_dir_env

    parser.add_argument(
        "--manual-dir",
        default=None,
        help="folder holding the corpus (EmoDB: the one with wav/; RAVDESS: with Actor_01/...; EMOVO: with f1/...); "
        f"several corpora: NAME=PATH,NAME=PATH; default ${manual_dir_env('<corpus>')} per corpus, e.g. "
        f"${manual_dir_env('ravdess')}",
    )


def unit_store(args, settings: dict):
    """The resumable unit store of a run in ``args.output_dir`` (emptied first with ``--fresh``)."""
    import pathlib

    from serzoo.experiments.resume import UnitStore

    if getattr(args, "fresh", False):
        (pathlib.Path(args.output_dir) / UnitStore.FILE).unlink(missing_ok=True)
    return UnitStore(args.output_dir, settings)


class _Renamed(argparse.Action):
    """An option's old spelling: refused with the new one named, never accepted silently (swallows one value)."""

    def __init__(self, option_strings, dest, new: str, **kwargs):
        self.new = new
        super().__init__(
            option_strings, argparse.SUPPRESS, nargs="?", default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )

    def __call__(self, parser, namespace, values, option_string=None):
        parser.error(f"{option_string} was renamed: use {self.new}")


def add_renamed_option(parser: argparse.ArgumentParser, old: str, new: str) -> None:
    """Refuse ``old`` (an earlier spelling of an option) with an error naming ``new``."""
    parser.add_argument(old, action=_Renamed, new=new)


def add_schedule_option(parser: argparse.ArgumentParser, default_schedule: str, what: str | None = None) -> None:
    """``--schedule paper|serzoo`` (the old ``--preset`` is refused: a preset is a pretrained model)."""
    from serzoo.schedules import SCHEDULES

    parser.add_argument(
        "--schedule",
        choices=SCHEDULES,
        default=default_schedule,
        help=f"{what or 'training schedule of the schemes'}: the papers' or serzoo's (default {default_schedule}; "
        "`serzoo schemes --schedule NAME` lists them)",
    )
    add_renamed_option(
        parser, "--preset", "--schedule paper|serzoo (a preset is now a pretrained model: `serzoo presets`)"
    )


def add_training_options(parser: argparse.ArgumentParser, default_schedule: str) -> None:
    """``--schedule``, ``--epochs``, ``--learning-rate``, ``--batch-size``: how every adversarial scheme of the command
    trains."""
    add_schedule_option(parser, default_schedule)
    parser.add_argument(
        "--paper-schedule",
        dest="schedule",
        action="store_const",
        const="paper",
        help="the papers' epochs and rates: the same as --schedule paper",
    )
    parser.add_argument(
        "--epochs", type=int, default=None, help="epochs of every adversarial scheme (overrides the schedule)"
    )
    parser.add_argument(
        "--learning-rate",
        type=float,
        default=None,
        help="Adam rate of every player of every scheme (overrides the schedule)",
    )
    parser.add_argument(
        "--batch-size", type=int, default=None, help="batch size of every adversarial scheme (overrides the schedule)"
    )


def add_jobs_option(parser: argparse.ArgumentParser) -> None:
    from serzoo.experiments.workers import default_jobs

    parser.add_argument(
        "--jobs",
        type=int,
        default=default_jobs(),
        help="worker processes computing independent units in parallel, one thread each "
        f"(default: the number of cores, {default_jobs()}; 1 = in this process)",
    )


def add_held_out_option(parser: argparse.ArgumentParser) -> None:
    """``--held-out``: run only some leave-one-group-out folds (``held_out`` of :func:`serzoo.data.iter_folds`)."""
    parser.add_argument(
        "--held-out",
        type=lambda text: [name for name in text.split(",") if name],
        default=None,
        help="only the folds holding out these groups, e.g. speaker13,speaker14 (processes "
        "with disjoint --held-out may share --output-dir; run without it for the full report)",
    )


def add_groups_option(parser: argparse.ArgumentParser) -> None:
    """``--groups``: run the leave-one-group-out folds of some groups only (:func:`groups`)."""
    parser.add_argument(
        "--groups",
        default=None,
        help="only these groups' folds (the others are left out of training too): comma-separated names, or "
        "'development' / 'evaluation' for the corpus's documented speaker halves (EmoDB: 03 08 09 10 11 / "
        "12 13 14 15 16); default: every group",
    )


def groups(args, corpus) -> list[str] | None:
    """The groups of ``--groups`` for ``corpus`` (``None``: every group)."""
    from serzoo.data import speaker_halves

    if not args.groups:
        return None
    if args.groups in ("development", "evaluation"):
        return speaker_halves(corpus)[args.groups == "evaluation"]
    return [name for name in args.groups.split(",") if name]


def json_object(text: str) -> dict:
    """An argparse type: a JSON object (e.g. builder options ``'{"generator_steps": 1}'``)."""
    import json

    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise argparse.ArgumentTypeError(f"not JSON: {err}") from err
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"expected a JSON object, got {text!r}")
    return value


def rate_scales(text: str) -> tuple:
    """An argparse type: ``player=factor,...`` → ``((player, factor), ...)`` (:class:`serzoo.schedules.Training`)."""
    pairs = []
    for item in filter(None, text.split(",")):
        player, sep, factor = item.partition("=")
        try:
            pairs.append((player.strip(), float(factor)))
        except ValueError:
            sep = ""
        if not sep or pairs[-1][1] <= 0:
            raise argparse.ArgumentTypeError(f"expected player=factor with factor > 0, got {item!r}")
    return tuple(pairs)


def add_hparams_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--hparams", default=None, metavar="FILE[,FILE]", help=f"best_hparams.json written by `serzoo tune`: {what}"
    )


def add_recipe_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--recipe",
        default=None,
        metavar="JSON|FILE",
        help="how synthetic samples enter the classifiers (serzoo.recipes.Recipe fields), as JSON or "
        'a JSON file, e.g. \'{"synthetic_weight": 0.3, "calibration": 1}\'',
    )


def recipe(args):
    """The ``--recipe`` option as a :class:`serzoo.recipes.Recipe` (None if not given)."""
    import json
    import pathlib

    from serzoo.recipes import Recipe

    if not args.recipe:
        return None
    text = args.recipe
    if not text.lstrip().startswith("{"):
        path = pathlib.Path(text)
        if not path.is_file():
            raise ValueError(f"--recipe {text!r}: neither a JSON object nor a file")
        text = path.read_text(encoding="utf-8")
    try:
        return Recipe.from_dict(json.loads(text))
    except json.JSONDecodeError as err:
        raise ValueError(f"--recipe: not JSON ({err})") from err


def tuned_settings(args) -> dict:
    """{``<scheme>_tuned``: setting} of the ``--hparams`` files (one per scheme)."""
    from serzoo.hparams import load_tuned_setting

    settings = {}
    for path in (args.hparams or "").split(","):
        if path.strip():
            setting = load_tuned_setting(path.strip())
            label = f"{setting.scheme}_tuned"
            if label in settings:
                raise ValueError(f"--hparams: two files tune {setting.scheme!r} ({settings[label].source}, {path})")
            settings[label] = setting
    return settings


def training_kwargs(args) -> dict:
    return {
        "schedule": args.schedule,
        "epochs": args.epochs,
        "learning_rate": args.learning_rate,
        "batch_size": args.batch_size,
    }


def add_common_options(parser: argparse.ArgumentParser, *, trains_schemes: bool, tensorflow: bool) -> None:
    parser.add_argument("--verbose", action="store_true", help="show TensorFlow's and TFDS's own messages")
    if trains_schemes:
        parser.add_argument(
            "--tensorboard",
            metavar="DIR",
            default=None,
            help="write TensorBoard logs of every scheme's training (each player's loss per epoch)",
        )
    if tensorflow:
        parser.add_argument("--threads", type=int, default=None, help="TensorFlow threads (default: all cores)")


def manual_dir(args) -> str | None:
    """``--manual-dir`` as given; :func:`serzoo.data.load_corpus` falls back to ``$SERZOO_<CORPUS>_DIR`` per corpus."""
    return args.manual_dir


def prepare(args) -> None:
    """Per command run: the arguments no parser type can check, quiet libraries (unless ``--verbose``), thread count,
    TensorBoard logging."""
    from serzoo import quiet

    if getattr(args, "runs_one_seed", False):
        one_seed(args)

    if args.verbose:
        os.environ[quiet.VERBOSE_ENV] = "1"
    if getattr(args, "tensorboard", None):
        from serzoo.tensorboard import enable

        enable(args.tensorboard)
    if getattr(args, "needs_tensorflow", True):
        from serzoo.experiments.workers import set_tensorflow_threads

        quiet.import_tensorflow_quietly()
        set_tensorflow_threads(getattr(args, "threads", None))


def int_list(text: str) -> list[int]:
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from err


def float_list(text: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from err


def generator_name(where: str) -> Callable[[str], str]:
    """An argparse type for an option that takes a generator: a classifier-only scheme is refused with what it is
    and where it is used instead (:func:`serzoo.models.not_a_generator`); other names pass to ``choices``."""

    def parse(text: str) -> str:
        from serzoo.models import not_a_generator

        message = not_a_generator(text, where)
        if message:
            raise argparse.ArgumentTypeError(message)
        return text

    return parse


def name_list(known, where: str | None = None) -> Callable[[str], list[str]]:
    """An argparse type: comma-separated names, each one of ``known()`` (read when parsing). With ``where`` (the
    option takes generators), a classifier-only scheme is refused as :func:`generator_name` does."""

    def parse(text: str) -> list[str]:
        names = [v.strip() for v in text.split(",") if v.strip()]
        if where is not None:
            for name in names:
                generator_name(where)(name)
        unknown = [n for n in names if n not in known()]
        if unknown or not names:
            raise argparse.ArgumentTypeError(
                f"unknown {', '.join(unknown) or 'empty list'}; choose from: {', '.join(known())}"
            )
        return names

    return parse
