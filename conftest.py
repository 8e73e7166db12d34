"""Session-wide test setup: isolated caches, shared corpora built once, the slow tier."""

import atexit
import os
import pathlib
import shutil
import tempfile

import pytest

REPO = pathlib.Path(__file__).resolve().parent
# Everything a test process (and its subprocesses, through TMPDIR) puts in the temp folder goes into one private
# folder removed at exit: TFDS's builder tests leak an empty tmp*tfds per new builder (initialize_from_bucket).
_TEMP_ROOT = tempfile.mkdtemp(prefix="serzoo-test-tmp-")
os.environ["TMPDIR"] = tempfile.tempdir = _TEMP_ROOT
atexit.register(shutil.rmtree, _TEMP_ROOT, ignore_errors=True)
# Set before any test imports serzoo, so no test touches the user's ~/.cache/serzoo; inside the private temp folder,
# so it goes with it at exit (each xdist worker has its own).
os.environ["SERZOO_CACHE_DIR"] = tempfile.mkdtemp(prefix="serzoo-test-cache-")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Tiny 2-epoch fits: XLA compilation would cost more than the training (about 10 s of CPU per full-size scheme);
# worker and CLI subprocesses inherit it. tests/test_augmenters.py trains every registered scheme with XLA.
os.environ["SERZOO_XLA"] = "0"


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", help="also run tests marked slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def emodb_dir() -> pathlib.Path:
    """The real EmoDB: ``$SERZOO_EMODB_DIR``, or ``shared/corpora/emodb`` beside the clone."""
    return pathlib.Path(os.environ.get("SERZOO_EMODB_DIR", REPO.parent / "shared" / "corpora" / "emodb"))


@pytest.fixture(scope="session", autouse=True)
def short_tsne():
    """t-SNE figures with sklearn's minimum of 250 steps instead of 1000: the tests check that figures are drawn,
    not how well t-SNE converged (a quarter of the cost of the reproduction, demo and comparison tests' figures)."""
    from serzoo import plots

    plots.TSNE_ITERATIONS = 250


@pytest.fixture(scope="session")
def tfds_data_dir(tmp_path_factory):
    import tensorflow_datasets as tfds

    tfds.disable_progress_bar()
    return tmp_path_factory.mktemp("tensorflow_datasets")


@pytest.fixture(scope="session")
def synth_is11(tfds_data_dir):
    """The embedded synthetic corpus, IS11 features, built once per session."""
    from serzoo.data import load_corpus

    return load_corpus("synth_emo/is11", data_dir=tfds_data_dir)


@pytest.fixture(scope="session")
def tiny_export(tmp_path_factory):
    """An untrained tiny ADAN exported once per session (copy it before changing it)."""
    from tests.scheme_checks import export_tiny

    return export_tiny(tmp_path_factory.mktemp("tiny_export") / "adan" / "1")


@pytest.fixture(scope="session")
def real_emodb_dir():
    path = emodb_dir()
    if not (path / "wav").is_dir():
        pytest.skip(f"real EmoDB not found at {path} (set SERZOO_EMODB_DIR)")
    return path


def _real_corpus(name: str, inside: str) -> pathlib.Path:
    """``$SERZOO_<NAME>_DIR`` if it holds ``inside``; skips with a message otherwise (there is no default folder)."""
    variable = f"SERZOO_{name.upper()}_DIR"
    path = os.environ.get(variable)
    if not path:
        pytest.skip(f"real {name} not available: set {variable} to the corpus folder (the one holding {inside}/)")
    if not (pathlib.Path(path) / inside).is_dir():
        pytest.skip(f"real {name} not found: {variable}={path} holds no {inside}/ folder")
    return pathlib.Path(path)


@pytest.fixture(scope="session")
def real_ravdess_dir():
    return _real_corpus("ravdess", "Actor_01")


@pytest.fixture(scope="session")
def real_emovo_dir():
    return _real_corpus("emovo", "f1")
