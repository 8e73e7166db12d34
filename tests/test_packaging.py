"""What installs: one top-level name (``serzoo``), the top-level folders ``tuning/`` and ``tfds_builders/`` under it,
the shipped presets as package data found from any folder, and each TFDS builder registered once however it is
reached (installed, editable, or a clone on ``sys.path`` as under pytest)."""

import os
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
#: top-level folder -> the package name it installs under
INSTALLED_AS = {"serzoo": "serzoo", "tuning": "serzoo.tuning", "tfds_builders": "serzoo.tfds_builders"}


def _distribution():
    from setuptools._distutils.core import run_setup

    cwd = os.getcwd()
    try:
        os.chdir(REPO)
        return run_setup("setup.py", stop_after="init")
    finally:
        os.chdir(cwd)


def _python(code: str, *, cwd, path=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": path or ""}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_every_package_installs_under_serzoo():
    dist = _distribution()
    assert all(p == "serzoo" or p.startswith("serzoo.") for p in dist.packages), dist.packages
    expected = {
        ".".join([INSTALLED_AS[init.relative_to(REPO).parts[0]], *init.relative_to(REPO).parts[1:-1]])
        for folder in INSTALLED_AS
        for init in (REPO / folder).rglob("__init__.py")
    }
    assert expected <= set(dist.packages), sorted(expected - set(dist.packages))
    data = dist.package_data["serzoo.tfds_builders"]
    assert "*/checksums.tsv" in data and "*/README.md" in data


def test_no_generic_top_level_name_is_importable_outside_the_clone(tmp_path):
    done = _python(
        "import importlib.util as u\n"
        "print([n for n in ('tuning', 'tfds_builders') if u.find_spec(n)])\n"
        "import serzoo.tuning.cli, serzoo.tfds_builders.feature_corpus\n"
        "from importlib.metadata import entry_points\n"
        "print(sorted(e.value for e in entry_points(group='serzoo.commands')))\n",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:2] == ["[]", "['serzoo.tuning.cli']"]


def test_a_builder_registers_once_when_the_clone_is_on_sys_path_as_under_pytest(tmp_path):
    """pytest collects ``tfds_builders/emodb/*_test.py`` under the folder's own name; the builder module itself must
    still be one module (``serzoo.tfds_builders.emodb.emodb_dataset_builder``), registered with TFDS once."""
    done = _python(
        "import sys, tfds_builders.emodb, tensorflow_datasets as tfds\n"
        "from serzoo.builders import builder_class\n"
        "assert builder_class('emodb') is tfds_builders.emodb.Builder\n"
        "print(sorted(m for m in sys.modules if m.endswith('emodb_dataset_builder')))\n"
        "print(tfds.builder_cls('emodb').__module__)\n",
        cwd=tmp_path,
        path=str(REPO),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:2] == [
        "['serzoo.tfds_builders.emodb.emodb_dataset_builder']",
        "serzoo.tfds_builders.emodb.emodb_dataset_builder",
    ]


@pytest.mark.parametrize("folder", ["outside", "env"])
def test_serzoo_presets_lists_the_shipped_presets_from_any_folder(folder, tmp_path, tiny_export):
    import shutil

    env_dir = tmp_path / "mine"
    shutil.copytree(tiny_export, env_dir / "tiny" / "1")
    code = (
        "import os, sys\n"
        f"os.environ['SERZOO_PRESETS_DIR'] = {str(env_dir)!r} if {folder == 'env'!r} else ''\n"
        "from serzoo.cli import main\n"
        "sys.exit(main(['presets']))\n"
    )
    done = _python(code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "wadan_emodb_is11/1" in done.stdout and "wadan_emodb_is10/1" in done.stdout
    assert ("tiny/1" in done.stdout) == (folder == "env")
