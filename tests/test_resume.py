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
