"""serzoo: adversarial data augmentation for speech emotion recognition (Keras 3 / TensorFlow).

What a script needs is importable from the top, lazily (``import serzoo`` imports neither TensorFlow nor
scikit-learn; each name loads its module on first use):

    >>> import serzoo
    >>> corpus = serzoo.load_corpus("emodb/is11", manual_dir="PATH")                  # doctest: +SKIP
    >>> for fold in serzoo.iter_folds(corpus):                                          # doctest: +SKIP
    ...     x_aug, y_aug = serzoo.augment(fold.x_train, fold.y_train, "smote", k=5)
    >>> serzoo.scheme_names()                                                           # doctest: +SKIP
"""

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import pathlib
import sys

__version__ = "0.2.0.dev0"

#: Folders of the repository that install under serzoo's name (setup.py); see :class:`_CloneFolders`.
CLONE_FOLDERS = {"serzoo.tuning": "tuning", "serzoo.tfds_builders": "tfds_builders"}


class _CloneFolders(importlib.abc.MetaPathFinder):
    """``serzoo.tuning`` / ``serzoo.tfds_builders`` when serzoo itself is imported from a clone (pytest's rootdir on
    ``sys.path``, ``PYTHONPATH=.``) rather than from an installation: the clone's top-level ``tuning/`` and
    ``tfds_builders/``. Consulted last, so installed and editable copies win; one name per module, so a TFDS builder
    registers once."""

    def __init__(self, root: pathlib.Path):
        self.root = root

    def find_spec(self, fullname, path=None, target=None):
        folder = CLONE_FOLDERS.get(fullname)
        if folder is None or not (self.root / folder / "__init__.py").is_file():
            return None
        location = self.root / folder
        return importlib.util.spec_from_file_location(
            fullname, location / "__init__.py", submodule_search_locations=[str(location)]
        )


_ROOT = pathlib.Path(__file__).resolve().parent.parent
if (_ROOT / "setup.py").is_file() and not any(isinstance(f, _CloneFolders) for f in sys.meta_path):
    sys.meta_path.append(_CloneFolders(_ROOT))


class _KerasClassesOnImport(importlib.abc.MetaPathFinder):
    """Registers serzoo's scheme classes with Keras once ``keras`` is imported (before or after ``import serzoo``),
    so that plain ``keras.saving.load_model("scheme.keras")`` finds them; ``import serzoo`` itself stays free of
    TensorFlow. Keras looks a saved class up by its registered name (``"serzoo>ADAN"``) in
    ``keras.saving.get_custom_objects()``, which a module fills when it runs. The lookup is wrapped rather than the
    modules imported at once, because ``import tensorflow`` imports ``keras`` halfway through its own import."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "keras":
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            run = spec.loader.exec_module

            def run_then_register(module):
                run(module)
                _register_on_lookup()

            spec.loader.exec_module = run_then_register
        return spec


def _register_on_lookup() -> None:
    """Wrap Keras's registered-object lookup: the first ``"serzoo>..."`` name it does not know imports every scheme
    module (:func:`serzoo.models.register_keras_classes`). Without the private hook (another Keras layout) nothing
    changes: ``serzoo.load_model`` still registers them."""
    try:
        from keras.src.saving import object_registration
    except ImportError:  # pragma: no cover - a Keras without this module
        return
    lookup = object_registration.get_registered_object
    if getattr(lookup, "serzoo", False):
        return

    def get_registered_object(name, custom_objects=None, module_objects=None):
        if (
            isinstance(name, str)
            and name.startswith("serzoo>")
            and name not in object_registration.GLOBAL_CUSTOM_OBJECTS
        ):
            from serzoo.models import register_keras_classes

            register_keras_classes()
        return lookup(name, custom_objects, module_objects)

    get_registered_object.serzoo = True
    object_registration.get_registered_object = get_registered_object


if "keras" in sys.modules:
    _register_on_lookup()
elif not any(isinstance(f, _KerasClassesOnImport) for f in sys.meta_path):
    sys.meta_path.insert(0, _KerasClassesOnImport())

#: public name -> module that defines it
_EXPORTS = {
    "load_corpus": "serzoo.data",
    "iter_folds": "serzoo.data",
    "Normalizer": "serzoo.data",
    "augment": "serzoo.augmenters",
    "Augmented": "serzoo.augmenters",
    "Resampler": "serzoo.augmenters",
    "make_augmenter": "serzoo.augmenters",
    "augmented_sets": "serzoo.augmenters",
    "augmentation_methods": "serzoo.augmenters",
    "ExportedGenerator": "serzoo.augmenters",
    "SchemeSpec": "serzoo.models",
    "register_scheme": "serzoo.models",
    "get_scheme": "serzoo.models",
    "scheme_names": "serzoo.models",
    "load_model": "serzoo.models",
    "training_for": "serzoo.schedules",
    "Training": "serzoo.schedules",
    "make_classifier": "serzoo.models.classifiers",
    "export_generator": "serzoo.export",
    "train_and_export": "serzoo.experiments.train_export",
    "DivergenceError": "serzoo.errors",
    "Recipe": "serzoo.recipes",
    "augmented_training_set": "serzoo.recipes",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'serzoo' has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *__all__})
