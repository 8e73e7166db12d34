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
