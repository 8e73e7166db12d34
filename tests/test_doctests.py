"""The docstring examples that run without a corpus or a trained model, as doctests (the others are marked
``+SKIP``: they need data). A module here whose examples stop matching its code fails this test."""

import doctest
import importlib

import pytest

MODULES = ("serzoo", "serzoo.models", "serzoo.schedules", "serzoo.recipes", "serzoo.hparams", "serzoo.features")


@pytest.mark.parametrize("name", MODULES)
def test_the_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.attempted > 0, f"{name} has no example to run"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples of {name} fail (see the output)"
