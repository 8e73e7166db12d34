"""The unit store behind resumable experiments: interruption, and processes sharing one store."""

import json

import pytest

from serzoo.experiments.resume import UnitStore

SETTINGS = {"dataset": "emodb/is11", "ks": [0, 10]}


def test_a_line_cut_short_is_dropped_and_later_units_stay_readable(tmp_path):
    UnitStore(tmp_path, SETTINGS).add("seed0/a/none", {"uar": 0.5})
    with (tmp_path / UnitStore.FILE).open("a") as handle:
        handle.write('{"key": "seed0/b/no')  # the process died while writing this unit
    resumed = UnitStore(tmp_path, SETTINGS)
    assert set(resumed.units) == {"seed0/a/none"}
    resumed.add("seed0/b/none", {"uar": 0.6})  # must start on a line of its own
    assert UnitStore(tmp_path, SETTINGS).units == {"seed0/a/none": {"uar": 0.5}, "seed0/b/none": {"uar": 0.6}}


def test_stores_sharing_a_file_see_each_others_finished_units(tmp_path):
    first, second = UnitStore(tmp_path, SETTINGS), UnitStore(tmp_path, SETTINGS)
    first.add("seed0/a/wadan@400", {"uar": 0.7})
    assert second.get("seed0/a/wadan@400") == {"uar": 0.7}
    with (tmp_path / UnitStore.FILE).open("a") as handle:  # another process is half-way through a line
        handle.write('{"key": "seed0/b/wadan@400", "payl')
        handle.flush()
        assert second.get("seed0/b/wadan@400") is None
        handle.write('oad": {"uar": 0.8}}\n')
    assert second.get("seed0/b/wadan@400") == {"uar": 0.8}
    assert second.get("seed0/c/wadan@400") is None


def test_a_store_of_other_settings_or_a_corrupt_line_is_refused(tmp_path):
    UnitStore(tmp_path, SETTINGS).add("seed0/a/none", {"uar": 0.5})
    with pytest.raises(ValueError, match=r"different settings \(ks\)"):
        UnitStore(tmp_path, {**SETTINGS, "ks": [0, 5]})
    path = tmp_path / UnitStore.FILE
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], "not json", *lines[1:]]) + "\n")
    with pytest.raises(ValueError, match=r"units\.jsonl, line 2: not a unit record"):
        UnitStore(tmp_path, SETTINGS)
    assert json.loads(lines[0]) == {"settings": SETTINGS}


def test_stores_started_together_on_a_new_directory_write_the_settings_once(tmp_path, monkeypatch):
    import pathlib
    import threading
    from concurrent.futures import ThreadPoolExecutor

    together = threading.Barrier(4, timeout=10)
    mkdir = pathlib.Path.mkdir

    def mkdir_then_wait_for_the_others(self, *args, **kwargs):  # all four stores start at the same moment
        mkdir(self, *args, **kwargs)
        together.wait()

    monkeypatch.setattr(pathlib.Path, "mkdir", mkdir_then_wait_for_the_others)
    with ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(lambda _: UnitStore(tmp_path / "run", SETTINGS), range(4)))
    stores[0].add("seed0/a/none", {"uar": 0.5})
    lines = (tmp_path / "run" / UnitStore.FILE).read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"settings": SETTINGS},
        {"key": "seed0/a/none", "payload": {"uar": 0.5}},
    ]


def test_a_settings_line_repeated_by_an_older_version_is_skipped(tmp_path):
    path = tmp_path / UnitStore.FILE
    settings_line = json.dumps({"settings": SETTINGS})
    path.write_text("\n".join([settings_line, settings_line, json.dumps({"key": "k", "payload": {}})]) + "\n")
    assert UnitStore(tmp_path, SETTINGS).units == {"k": {}}


def test_units_of_another_run_with_the_same_settings_are_imported_once(tmp_path):
    source = UnitStore(tmp_path / "adan", SETTINGS)
    for key in ("seed0/a/none", "seed0/a/smote", "seed0/a/adan_tuned@94"):
        source.add(key, {"uar": len(key)})
    with (tmp_path / "adan" / UnitStore.FILE).open("a") as handle:
        handle.write('{"key": "seed0/b/no')  # an interrupted line is skipped
    target = UnitStore(tmp_path / "aae", SETTINGS)
    target.add("seed0/a/none", {"uar": 0.0})  # already there: kept, not overwritten
    baseline = lambda key: key.rsplit("/", 1)[-1] in ("none", "smote")  # noqa: E731
    assert target.import_units(tmp_path / "adan", baseline) == 1
    assert UnitStore(tmp_path / "aae", SETTINGS).units == {"seed0/a/none": {"uar": 0.0}, "seed0/a/smote": {"uar": 13}}
    with pytest.raises(ValueError, match=r"other settings \(ks\) and cannot be reused"):
        UnitStore(tmp_path / "five", {**SETTINGS, "ks": [0, 5]}).import_units(tmp_path / "adan", baseline)
    with pytest.raises(FileNotFoundError, match="no finished units to reuse"):
        target.import_units(tmp_path / "missing", baseline)


def _disk_full_after(limit: int):
    """A ``write`` that stores ``limit`` bytes, then fails as a full disk does."""
    import errno

    def write(stream, data):
        stream.write(data[:limit])
        raise OSError(errno.ENOSPC, "No space left on device")

    return write


def test_disk_full_while_saving_an_example_leaves_no_partial_file(tmp_path, monkeypatch):
    """Issue 35 case 16: a full disk during `reproduce` left `.tmp.npz` files and a raw OSError naming no file. The
    store stays valid and the rerun resumes (as before); nothing half-written remains; the error names the path."""
    import numpy as np

    store = UnitStore(tmp_path, {"a": 1})
    store.add("seed0/fold1/noise", {"uar": 0.5})
    store.save_example("noise", {"x": np.zeros(3), "history": {}})
    before = (tmp_path / "examples" / "noise.npz").read_bytes()
    full = _disk_full_after(100)
    monkeypatch.setattr(np, "savez", lambda file, *a, **k: full(file, b"x" * 1000))
    with pytest.raises(OSError, match=f"cannot write {tmp_path / 'examples' / 'noise.npz'}: No space left"):
        store.save_example("noise", {"x": np.ones(3), "history": {}})
    assert sorted(p.name for p in (tmp_path / "examples").iterdir()) == ["noise.npz"]  # no temporary file left
    assert (tmp_path / "examples" / "noise.npz").read_bytes() == before
    assert UnitStore(tmp_path, {"a": 1}).get("seed0/fold1/noise") == {"uar": 0.5}


def test_disk_full_while_writing_a_report_or_figure_keeps_the_old_one(tmp_path, monkeypatch):
    """Issue 35 case 16: a full disk during `tune` left a truncated PNG and no report.md."""
    import matplotlib.figure

    from serzoo import plots
    from serzoo.report import write_report

    write_report(tmp_path, "# old", {"old": True})
    plots.search_progress_png([0.1, 0.2], "utility", True, tmp_path / "p.png")
    old = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    full = _disk_full_after(50)
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", lambda self, path, **k: full(open(path, "wb"), b"x" * 500))
    with pytest.raises(OSError, match=f"cannot write {tmp_path / 'p.png'}: No space left on device"):
        plots.search_progress_png([0.3], "utility", True, tmp_path / "p.png")
    monkeypatch.setattr("pathlib.Path.write_text", lambda self, text, **k: full(self.open("w"), text))
    with pytest.raises(OSError, match=f"cannot write {tmp_path / 'results.json'}: No space left on device"):
        write_report(tmp_path, "# new", {"new": True})
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == old  # the old files, whole; nothing else


def test_fresh_never_deletes_a_units_file_that_is_not_a_store(tmp_path):
    """Issue 35 case 2: `reproduce` refused a foreign units.jsonl, but `--fresh` then deleted it and replaced the
    folder's reports. --fresh (UnitStore.discard) deletes a run's own units only."""
    (tmp_path / "units.jsonl").write_text("my own log\n")
    with pytest.raises(ValueError, match="is not a serzoo unit store .*give another --output-dir"):
        UnitStore.discard(tmp_path)
    assert (tmp_path / "units.jsonl").read_text() == "my own log\n"
    store = UnitStore(tmp_path / "run", {"a": 1})
    store.add("k", {"v": 1})
    (tmp_path / "run" / "examples").mkdir()
    UnitStore.discard(tmp_path / "run")
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == []
    UnitStore.discard(tmp_path / "missing")  # nothing to forget: fine
