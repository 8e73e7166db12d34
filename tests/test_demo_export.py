"""The demo exports beside its report, never into the shipped presets' folder; ``serzoo presets`` prints no
internal budget line (issue 34, items 6 and 9)."""

import pathlib


def test_the_demo_exports_beside_its_report_by_default(monkeypatch, tmp_path):
    from serzoo import cli
    from serzoo.experiments import demo

    seen = {}
    monkeypatch.setattr(demo, "run_demo", lambda dataset, **kwargs: seen.update(kwargs) or {"seconds": 0})
    assert cli.main(["demo", "--output-dir", str(tmp_path / "report")]) == 0
    assert pathlib.Path(seen["export_root"]) == tmp_path / "report" / "exported"
    assert cli.main(["demo", "--output-dir", str(tmp_path / "r"), "--export-root", str(tmp_path / "mine")]) == 0
    assert pathlib.Path(seen["export_root"]) == tmp_path / "mine"


def test_presets_prints_no_budget_line(tiny_export, tmp_path, capsys):
    import shutil

    from serzoo import cli

    shutil.copytree(tiny_export, tmp_path / "zoo" / "tiny" / "1")
    assert cli.main(["presets", "--export-root", str(tmp_path / "zoo")]) == 0
    out = capsys.readouterr().out
    assert "tiny/1" in out and "budget" not in out.lower()
