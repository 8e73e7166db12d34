"""A tuned setting: what a search (``serzoo tune``, ``tuning/``) chose for a scheme, as ``best_hparams.json``.

The file records the scheme, the dataset, the objective and its value, KerasTuner's raw hyperparameters, the
protocol (which speakers the search saw) and the resolved setting: builder options, training (epochs, Adam
rate per player, batch size), classifier options and k. ``serzoo export --hparams FILE`` and
``serzoo reproduce --hparams FILE`` read it through :func:`load_tuned_setting`. TensorFlow-free.

Example:
    >>> setting = TunedSetting("wadan", {"latent_dim": 32}, epochs=200, learning_rate=3e-4)
    >>> setting.training().describe()
    '200 epochs, batch 128, Adam 0.0003'
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pathlib

FORMAT = "serzoo-hparams/1"


@dataclasses.dataclass(frozen=True)
class TunedSetting:
    """A scheme with chosen builder ``options`` and training, plus classifier options and k if they were tuned.

    Args:
        scheme: a registered scheme (:func:`serzoo.models.scheme_names`).
        options: builder keyword arguments (e.g. ``{"latent_dim": 32, "alpha": 0.3}``).
        epochs, learning_rate, batch_size: training of every player; ``player_rates`` = {player: Adam rate}
            (as :attr:`serzoo.schedules.Training.rate_scales` relative to ``learning_rate``).
        classifier: {classifier name: field overrides} (:func:`serzoo.models.classifiers.make_classifier`).
        k: number of synthetic sets, if the search chose it.
        recipe: :class:`serzoo.recipes.Recipe` fields (how the synthetic rows enter the classifier), if tuned.
        source: where the setting comes from (the search's file), for reports.
    """

    scheme: str
    options: dict = dataclasses.field(default_factory=dict)
    epochs: int = 300
    learning_rate: float = 1e-4
    batch_size: int = 128
    player_rates: dict = dataclasses.field(default_factory=dict)
    classifier: dict = dataclasses.field(default_factory=dict)
    k: int | None = None
    recipe: dict = dataclasses.field(default_factory=dict)
    source: str = ""

    def training(self):
        """The :class:`serzoo.schedules.Training` of this setting."""
        from serzoo.schedules import Training

        rate = float(self.learning_rate)
        return Training(
            int(self.epochs),
            rate,
            int(self.batch_size),
            rate_scales=tuple((player, float(r) / rate) for player, r in sorted(self.player_rates.items())),
            source=f"tuned ({self.source})" if self.source else "tuned",
        )

    @property
    def key(self) -> str:
        """Eight hex digits identifying options, training and classifier (for experiment unit keys)."""
        core = dataclasses.asdict(self)
        core.pop("source")
        return hashlib.sha256(json.dumps(core, sort_keys=True).encode()).hexdigest()[:8]

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict, where: str = "setting") -> TunedSetting:
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - fields)
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {unknown}; expected some of {sorted(fields)}")
        if "scheme" not in data:
            raise ValueError(f"{where}: missing field 'scheme' (a registered scheme name)")
        from serzoo.models import get_scheme

        get_scheme(data["scheme"])
        for name in ("options", "player_rates", "classifier", "recipe"):
            if not isinstance(data.get(name, {}), dict):
                raise ValueError(f"{where}: field {name!r} must be a JSON object, got {data[name]!r}")
        setting = cls(**data)
        setting.training()  # validates epochs and rates
        setting.recipe_object()  # validates the recipe
        return setting

    def recipe_object(self):
        """The :class:`serzoo.recipes.Recipe` of this setting (the default recipe if none was tuned)."""
        from serzoo.recipes import as_recipe

        return as_recipe(self.recipe or None)


def write_tuned_setting(path, setting: TunedSetting, **record) -> pathlib.Path:
    """Write ``best_hparams.json``: the setting plus ``record`` (dataset, objective, value, hyperparameters,
    protocol), atomically."""
    from serzoo.report import write_json

    return write_json({"format": FORMAT, "setting": setting.to_dict(), **record}, path)


def _read_record(path: pathlib.Path, fmt: str, kind: str, writer: str, name: str) -> dict:
    """The JSON object of a file ``writer`` wrote as ``<output-dir>/name``, checked to be of format ``fmt``; errors
    name the file and the field."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such {kind} ({writer} writes <output-dir>/{name})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: not JSON ({err}); pass the {name} that serzoo tune wrote") from err
    if not isinstance(data, dict) or data.get("format") != fmt:
        raise ValueError(
            f"{path}: field 'format' must be {fmt!r}, got "
            f"{data.get('format') if isinstance(data, dict) else type(data).__name__!r}"
        )
    return data


def load_tuned_setting(path) -> TunedSetting:
    """The setting of a ``best_hparams.json`` written by ``serzoo tune``; errors name the file and the field."""
    path = pathlib.Path(path)
    data = _read_record(path, FORMAT, "hyperparameter file", "serzoo tune", "best_hparams.json")
    if not isinstance(data.get("setting"), dict):
        raise ValueError(f"{path}: missing the 'setting' object")
    setting = TunedSetting.from_dict(data["setting"], where=f"{path} 'setting'")
    return dataclasses.replace(setting, source=str(path))


CLASSIFIER_FORMAT = "serzoo-classifier/1"


@dataclasses.dataclass(frozen=True)
class ClassifierSetting:
    """The classifier a classifier-only search (``serzoo tune --scheme none --tune-classifier``) chose on its
    development groups, as ``best_classifier.json``.

    Args:
        classifier: ``"dnn"`` or ``"svm"``.
        options: its field overrides (:func:`serzoo.models.classifiers.make_classifier`).
        dataset: ``NAME/FEATURES`` the search ran on.
        development_groups: the groups the search saw; evaluation_groups: the groups it did not see, the only
            ones whose folds may use this setting.
        source: the file it was read from.
    """

    classifier: str
    options: dict
    dataset: str
    development_groups: tuple
    evaluation_groups: tuple
    source: str = ""


def write_classifier_setting(path, classifier: str, options: dict, **record) -> pathlib.Path:
    """Write ``best_classifier.json``: the classifier's options plus ``record`` (dataset, objective, value,
    hyperparameters, protocol with ``development_groups`` and ``evaluation_groups``), atomically."""
    from serzoo.report import write_json

    return write_json({"format": CLASSIFIER_FORMAT, "classifier": classifier, "options": options, **record}, path)


def load_classifier_setting(path) -> ClassifierSetting:
    """The :class:`ClassifierSetting` of a ``best_classifier.json``; errors name the file and the field."""
    from serzoo.models.classifiers import CLASSIFIERS, make_classifier

    path = pathlib.Path(path)
    data = _read_record(
        path,
        CLASSIFIER_FORMAT,
        "classifier file",
        "serzoo tune --scheme none --tune-classifier",
        "best_classifier.json",
    )
    if data.get("classifier") not in CLASSIFIERS:
        raise ValueError(
            f"{path}: field 'classifier' must be one of {list(CLASSIFIERS)}, got {data.get('classifier')!r}"
        )
    options = data.get("options")
    if not isinstance(options, dict):
        raise ValueError(f"{path}: field 'options' must be a JSON object of classifier fields, got {options!r}")
    try:
        make_classifier(data["classifier"], **options)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{path}: field 'options' is not a valid {data['classifier']} setting ({err})") from err
    protocol = data.get("protocol")
    groups = {}
    for name in ("development_groups", "evaluation_groups"):
        value = protocol.get(name) if isinstance(protocol, dict) else None
        if not isinstance(value, list) or not value:
            raise ValueError(f"{path}: field 'protocol.{name}' must be a non-empty list of groups, got {value!r}")
        groups[name] = tuple(value)
    if not isinstance(data.get("dataset"), str):
        raise ValueError(f"{path}: field 'dataset' must be NAME/FEATURES, got {data.get('dataset')!r}")
    return ClassifierSetting(data["classifier"], options, data["dataset"], source=str(path), **groups)
