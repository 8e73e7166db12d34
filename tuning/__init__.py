"""KerasTuner searches of serzoo's schemes: latent size, every player's learning rate and each scheme's own
knobs, scored by what the synthetic data is worth on development speakers (``serzoo tune``).

Imports ``serzoo``; ``serzoo`` never imports this package (``serzoo tune`` is found through the
``serzoo.commands`` entry point).

Example:
    >>> from serzoo.tuning.search import run_search                                     # doctest: +SKIP
    >>> run_search(corpus=load_corpus("emodb/is11"), scheme="wadan", output_dir="results/tune_wadan")
"""
