"""A tuned setting: what a search (``serzoo tune``, ``tuning/``) chose for a scheme, as ``best_hparams.json``.

The file records the scheme, the dataset, the objective and its value, KerasTuner's raw hyperparameters, the
protocol (which speakers the search saw) and the resolved setting: builder options, training (epochs, Adam
rate per player, batch size), classifier options and k. ``serzoo export --hparams FILE`` and
``serzoo reproduce --hparams FILE`` read it through :func:`load_tuned_setting`, which checks the whole file first
and names the file and the field of anything wrong (:func:`check_classifier_options` serves ``best_classifier.json``
and the command-line options of ``serzoo tune`` too). TensorFlow-free but for :func:`check_buildable`.

Example:
    >>> setting = TunedSetting("wadan", {"latent_dim": 32}, epochs=200, learning_rate=3e-4)
    >>> setting.training().describe()
    '200 epochs, batch 128, Adam 0.0003'
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
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
        """The setting of ``data``, every field checked (``where`` names the file in errors: ``FILE 'setting'``);
        :func:`check_buildable` then checks that the scheme builds with its options."""
        from serzoo.models import get_scheme
        from serzoo.validation import check_number

        if not isinstance(data, dict):
            raise ValueError(f"{where} must be a JSON object, got {type(data).__name__}")
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - fields)
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {unknown}; expected some of {sorted(fields)}")
        if "scheme" not in data:
            raise ValueError(f"{where}: missing field 'scheme' (a registered scheme name)")
        try:
            get_scheme(data["scheme"])
        except ValueError as err:
            raise ValueError(f"{where}: field 'scheme': {err}") from None
        for name in ("options", "player_rates", "classifier", "recipe"):
            if not isinstance(data.get(name, {}), dict):
                raise ValueError(f"{where}: field {name!r} must be a JSON object, got {data[name]!r}")
        field = f"{where}: field"
        check_number(data.get("epochs", 1), f"{field} 'epochs'", integer=True, minimum=1)
        check_number(data.get("learning_rate", 1.0), f"{field} 'learning_rate'", above=0)
        check_number(data.get("batch_size", 1), f"{field} 'batch_size'", integer=True, minimum=1)
        for player, rate in data.get("player_rates", {}).items():
            check_number(rate, f"{field} 'player_rates.{player}'", above=0)
        if data.get("k") is not None:
            check_number(data["k"], f"{field} 'k'", integer=True, minimum=1)
        _check_finite(data.get("options", {}), field, "options")
        for name, options in data.get("classifier", {}).items():
            check_classifier_options(name, options, f"{field} 'classifier.{name}'")
        if not isinstance(data.get("source", ""), str):
            raise ValueError(f"{field} 'source' must be a string, got {data['source']!r}")
        setting = cls(**data)
        try:
            setting.recipe_object()
        except ValueError as err:
            raise ValueError(f"{field} 'recipe': {err}") from None
        return setting

    def overridden(self, *, epochs=None, learning_rate=None, batch_size=None) -> TunedSetting:
        """This setting with ``--epochs`` / ``--learning-rate`` / ``--batch-size`` applied as they apply to a preset: a
        learning rate replaces every player's (the searched per-player rates go); None keeps the searched value."""
        changes = {k: v for k, v in (("epochs", epochs), ("batch_size", batch_size)) if v is not None}
        if learning_rate is not None:
            changes.update(learning_rate=learning_rate, player_rates={})
        if not changes:
            return self
        source = f"{self.source}, overridden: {', '.join(f'{k} {v}' for k, v in changes.items() if v != {})}"
        return dataclasses.replace(self, **changes, source=source)

    def recipe_object(self):
        """The :class:`serzoo.recipes.Recipe` of this setting (the default recipe if none was tuned)."""
        from serzoo.recipes import as_recipe

        return as_recipe(self.recipe or None)


def _check_finite(value, where: str, key: str) -> None:
    """Refuse NaN or infinity anywhere in ``value`` (nested lists and objects), naming ``where`` and the ``key``."""
    if isinstance(value, dict):
        for name, item in value.items():
            _check_finite(item, where, f"{key}.{name}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _check_finite(item, where, f"{key}[{index}]")
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where} {key!r} must be a finite number, got {value!r}")


def check_classifier_options(classifier: str, options, where: str) -> dict:
    """``options`` if they make a valid ``classifier`` (:func:`serzoo.models.classifiers.make_classifier` checks
    every field); otherwise a ``ValueError`` naming ``where`` (a file's field, or a command-line option)."""
    from serzoo.models.classifiers import CLASSIFIERS, make_classifier

    if classifier not in CLASSIFIERS:
        raise ValueError(f"{where}: unknown classifier {classifier!r}; choose one of {list(CLASSIFIERS)}")
    if not isinstance(options, dict):
        raise ValueError(f"{where} must be a JSON object of {classifier} fields, got {options!r}")
    try:
        make_classifier(classifier, **options)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{where} is not a valid {classifier} setting ({err})") from None
    return options


def check_buildable(scheme: str, options: dict, where: str, player_rates=(), rates_where: str = "") -> None:
    """Build ``scheme`` once, tiny (8 features, 2 classes), with the builder ``options`` of a setting, so that an
    unknown or impossible option (``latent_dim: -5``) and a rate for a player the scheme lacks are refused before
    a corpus loads, naming ``where`` (``rates_where``: where the player rates come from). Imports Keras."""
    from serzoo.models import get_scheme

    try:
        model = get_scheme(scheme).build(8, 2, seed=0, class_weights=[1.0, 1.0], **options)
    except Exception as err:  # a builder's own complaint (Keras: "units=-5"; Python: an unexpected keyword)
        raise ValueError(f"{where}: {scheme} cannot be built with {json.dumps(options)} ({err})") from None
    unknown = sorted(set(player_rates) - set(model.PLAYERS))
    if unknown:
        raise ValueError(f"{rates_where}: {scheme} has no player(s) {unknown}; its players: {list(model.PLAYERS)}")


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
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{path}: not JSON ({err}); pass the {name} that serzoo tune wrote") from err
    if not isinstance(data, dict) or data.get("format") != fmt:
        raise ValueError(
            f"{path}: field 'format' must be {fmt!r}, got "
            f"{data.get('format') if isinstance(data, dict) else type(data).__name__!r}"
        )
    return data


def load_tuned_setting(path, dataset: str | None = None) -> TunedSetting:
    """The setting of a ``best_hparams.json`` written by ``serzoo tune``, the whole file checked first (every field,
    and that the scheme builds with its options: :func:`check_buildable`); errors name the file and the field.
    ``dataset`` (``NAME/FEATURES``): refuse a file searched on another dataset."""
    path = pathlib.Path(path)
    data = _read_record(path, FORMAT, "hyperparameter file", "serzoo tune", "best_hparams.json")
    if not isinstance(data.get("setting"), dict):
        raise ValueError(f"{path}: missing the 'setting' object")
    if dataset is not None:
        check_dataset(path, data.get("dataset"), dataset)
    setting = TunedSetting.from_dict(data["setting"], where=f"{path} 'setting'")
    field = f"{path}: field 'setting"
    check_buildable(
        setting.scheme, setting.options, f"{field}.options'", setting.player_rates, f"{field}.player_rates'"
    )
    return dataclasses.replace(setting, source=str(path))


def check_dataset(path, recorded, dataset: str) -> None:
    """Refuse a file whose ``dataset`` field is not ``dataset`` (``CORPUS[+CORPUS]/FEATURES[+CLASSES]``, compared as
    :func:`serzoo.data.parse_spec` reads them: aliases such as ``compare`` resolved): a setting searched on one corpus,
    feature set and class set says nothing about another's."""
    from serzoo.data import parse_spec

    if not isinstance(recorded, str) or "/" not in recorded:
        raise ValueError(f"{path}: field 'dataset' must be NAME/FEATURES (the search's dataset), got {recorded!r}")
    if parse_spec(recorded) != parse_spec(dataset):
        raise ValueError(
            f"{path}: field 'dataset' is {recorded}: it was searched on {recorded}, but this run uses {dataset}; "
            f"search {dataset} (serzoo tune --dataset {dataset}) or use that dataset"
        )


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
    from serzoo.models.classifiers import CLASSIFIERS

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
    options = check_classifier_options(data["classifier"], data.get("options"), f"{path}: field 'options'")
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
