"""One CLI vocabulary: the same spelling for the same idea in every command, no abbreviations, help on every option,
old spellings refused with the new one named, ``serzoo --version``, and the table in docs/cli.md."""

import argparse
import pathlib
import re

import pytest

from serzoo import cli

REPO = pathlib.Path(__file__).resolve().parents[1]
#: Spellings that one idea had in some commands before 0.2.0; none may be a live option anywhere.
RETIRED = ("--preset", "--seed", "--output", "--ks", "--models", "--method", "--root", "--version", "--hold-out")


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices


def _live_actions(parser):
    return [a for a in parser._actions if a.help != argparse.SUPPRESS and not isinstance(a, argparse._HelpAction)]


def test_every_option_has_help_and_no_parser_abbreviates():
    assert cli.build_parser().allow_abbrev is False
    missing = []
    for name, parser in _subparsers().items():
        assert parser.allow_abbrev is False, name
        missing += [f"{name} {a.option_strings or a.dest}" for a in _live_actions(parser) if not a.help]
    assert missing == []


def test_no_command_keeps_a_retired_spelling():
    live = {
        (name, option)
        for name, parser in _subparsers().items()
        for action in _live_actions(parser)
        for option in action.option_strings
    }
    assert sorted(o for o in live if o[1] in RETIRED) == []


@pytest.mark.parametrize(
    ("args", "new"),
    [
        (["reproduce", "yi-mak-emodb", "--seed", "1"], "--seeds"),  # was read as --seeds 1 (abbreviation)
        (["evaluate", "--output", "x.json"], "--output-dir"),
        (["reproduce", "yi-mak-emodb", "--ks", "0,1"], "--k"),
        (["compare-generators", "--models", "m1"], "--methods"),
        (["cross-corpus", "--method", "smote"], "--methods"),
        (["adapt", "--target-dir", "x", "--output-dir", "y", "--method", "dnn"], "--classifier"),
        (["export", "--root", "x"], "--export-root"),
        (["export", "--version", "2"], "--export-version"),
        (["export", "--hold-out", "speaker03"], "--held-out"),
        (["presets", "--root", "x"], "--export-root"),
        (["demo", "--preset", "paper"], "--schedule"),
        (["semi-aae", "--preset", "paper"], "--schedule"),
        (["reproduce", "yi-mak-emodb", "--out", "x"], "unrecognized arguments: --out"),  # no abbreviation
    ],
)
def test_an_old_or_abbreviated_spelling_is_refused_naming_the_new_one(args, new, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(args)
    assert exit_.value.code == 2 and new in capsys.readouterr().err


def test_serzoo_version(capsys):
    from serzoo import __version__

    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.strip() == f"serzoo {__version__}"


def test_build_and_export_take_only_options_they_use_and_export_defaults_like_the_others():
    commands = _subparsers()
    build = {o for a in _live_actions(commands["build"]) for o in a.option_strings}
    assert not build & {"--folds", "--seeds", "--normalisation"}
    export = {o for a in _live_actions(commands["export"]) for o in a.option_strings}
    assert not export & {"--folds", "--normalisation"}
    assert commands["export"].get_default("dataset") == commands["evaluate"].get_default("dataset") == "emodb/is11"


def test_a_one_seed_command_refuses_several_seeds(capsys):
    assert cli.main(["export", "--seeds", "0,1", "--dataset", "no_such/corpus"]) == 2
    assert "runs one seed" in capsys.readouterr().err


def test_reproduce_swap_halves_honours_explicit_classifiers_and_output_dir(monkeypatch, tmp_path):
    from serzoo.experiments import recipe_study

    seen = {}
    monkeypatch.setattr(recipe_study, "reproduce_swap_halves", lambda **kwargs: seen.update(kwargs))
    common = ["reproduce", "yi-mak-emodb", "--protocol", "swap-halves", "--manual-dir", str(tmp_path)]
    assert cli.main([*common, "--classifiers", "svm,dnn", "--output-dir", str(tmp_path / "mine")]) == 0
    assert seen["classifiers"] == ["svm", "dnn"] and seen["output_dir"] == str(tmp_path / "mine")
    assert cli.main(common) == 0
    assert seen["classifiers"] == ["dnn"] and seen["output_dir"] == "results/recipes_swap_halves"


def test_the_vocabulary_table_names_every_option():
    """docs/cli.md is the one table of the options: an option missing from it is an undocumented spelling."""
    table = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(--[a-z0-9-]+)", table))
    options = {o for p in _subparsers().values() for a in _live_actions(p) for o in a.option_strings}
    assert sorted(options - documented - {"--help"}) == []
