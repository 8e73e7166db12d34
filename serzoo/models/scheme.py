"""Common base of the adversarial schemes: per-player optimizers, loss trackers, NaN guard.

A scheme is one ``keras.Model`` subclass holding one training algorithm; it receives Functional
sub-networks (built by :mod:`serzoo.networks`) and owns a ``SeedGenerator`` for all its noise.
Subclasses set ``PLAYERS`` (player → the sub-networks its optimizer updates; ``compile`` takes
one ``<player>_optimizer`` each), ``NETWORKS`` (constructor sub-network arguments; an optional one may be
``None``) and ``LOSSES``
(the tracked loss names) and implement ``compute_losses`` and ``train_step``.

Keras conventions: ``compile(optimizer=...)`` gives every player a copy of that optimizer (a
``<player>_optimizer`` argument wins for its player); ``loss``, ``metrics``, ``fit(sample_weight=...)`` and
``fit(class_weight=...)`` are refused with a ``TypeError`` (a scheme computes its own losses, weighted per class by
its ``class_weights``). Callbacks monitor the names of ``LOSSES`` (``val_<name>`` with validation data), each
minimised by its player: ``fit`` sets ``mode="min"`` on a callback that monitors one with ``mode="auto"`` (e.g.
``EarlyStopping(monitor="val_reconstruction_loss")``); there is no overall ``loss`` (the players' losses pull against
each other), so a callback monitoring ``loss``/``val_loss`` is refused with the names it can monitor.
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import ops

from serzoo.errors import DivergenceError
from serzoo.models.classifiers import balanced_class_weights

_WEIGHTS_REFUSED = (
    "{scheme}.fit({name}=...) is not supported: each player's loss weights the classes by the scheme's "
    "class_weights (Yi & Mak: n_max / n_k), set when it is built: get_scheme(name).build(input_dim, n_classes, "
    "y=y_train) or class_weights=[...]; drop {name}"
)


class NanGuard(keras.callbacks.Callback):
    """Stop ``fit`` with a clear message as soon as any logged loss is NaN or infinite."""

    def __init__(self):
        super().__init__()
        self.epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        bad = {k: float(v) for k, v in (logs or {}).items() if not math.isfinite(float(v))}
        if bad:
            self.model.stop_training = True
            raise DivergenceError(
                f"{self.model.name} diverged at epoch {self.epoch + 1}, batch {batch + 1}: "
                f"{', '.join(f'{k}={v}' for k, v in bad.items())}. Lower the learning rates "
                "(compile(<player>_optimizer=...)) or check the input for extreme values."
            )


class AdversarialScheme(keras.Model):
    """Base class; see the module docstring.

    Args:
        n_classes: number of emotion classes.
        class_weights: per-class weights of the classification losses (default: all 1).
        seed: seed of the model's ``SeedGenerator``.
    """

    PLAYERS: dict[str, tuple[str, ...]] = {}
    NETWORKS: tuple[str, ...] = ()
    LOSSES: tuple[str, ...] = ()

    def __init__(self, *, n_classes: int, class_weights=None, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.n_classes = int(n_classes)
        self.class_weights = [1.0] * self.n_classes if class_weights is None else [float(w) for w in class_weights]
        if len(self.class_weights) != self.n_classes:
            raise ValueError(f"class_weights has {len(self.class_weights)} entries for {self.n_classes} classes")
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.loss_trackers = {name: keras.metrics.Mean(name=name) for name in self.LOSSES}

    # ----------------------------------------------------------------- compile
    def compile(self, optimizer=None, **kwargs):
        """``compile(optimizer=..., <player>_optimizer=..., ...)``: each player gets its own optimizer, else a copy
        of ``optimizer``, else Adam(1e-4) (Yi & Mak). ``loss``/``metrics`` are refused (see the module docstring)."""
        refused = sorted(k for k in ("loss", "loss_weights", "metrics", "weighted_metrics") if kwargs.get(k))
        if refused:
            what = (
                "computes its own losses"
                if {"loss", "loss_weights"} & set(refused)
                else "logs its own losses (its metrics)"
            )
            raise TypeError(
                f"{type(self).__name__} {what}: {', '.join(self.LOSSES)}, each minimised by its player's optimizer; "
                f"compile({', '.join(f'{k}=' for k in refused)}) is not supported. Monitor those names (val_<name> "
                "with validation data) in callbacks, or evaluate the generator's samples with a classifier"
            )
        unknown = [k for k in kwargs if k.endswith("_optimizer") and k.removesuffix("_optimizer") not in self.PLAYERS]
        if unknown:
            raise ValueError(f"{type(self).__name__} has no player for {unknown}; players: {list(self.PLAYERS)}")
        shared = None if optimizer is None else keras.optimizers.get(optimizer)
        for player in self.PLAYERS:
            own = kwargs.pop(f"{player}_optimizer", None)
            if own is not None:
                own = keras.optimizers.get(own)
            elif shared is not None:
                own = type(shared).from_config(shared.get_config())  # one optimizer state per player
            else:
                own = keras.optimizers.Adam(1e-4)
            own.build(self._player_variables(player))  # so a .keras reload restores its state
            setattr(self, f"{player}_optimizer", own)
        super().compile(**{k: v for k, v in kwargs.items() if k not in ("loss", "metrics")})

    def steps_per_epoch(self, x, y, batch_size: int) -> int:
        """Train steps in one epoch of ``fit(x, y, batch_size=...)`` (a decaying rate's horizon)."""
        return -(-len(x) // int(batch_size))

    def _player_variables(self, player: str) -> list:
        """The trainable variables of ``player``'s networks (an optional network that is ``None`` has none)."""
        networks = [getattr(self, name) for name in self.PLAYERS[player]]
        return [v for network in networks if network is not None for v in network.trainable_variables]

    def get_compile_config(self):
        return {
            f"{player}_optimizer": keras.saving.serialize_keras_object(getattr(self, f"{player}_optimizer"))
            for player in self.PLAYERS
        }

    def compile_from_config(self, config):
        self.compile(**{k: keras.saving.deserialize_keras_object(v) for k, v in config.items()})

    # ----------------------------------------------------------------- config
    def get_config(self):
        config = super().get_config()
        config.update(n_classes=self.n_classes, class_weights=self.class_weights, seed=self.seed)
        for name in self.NETWORKS:
            config[name] = keras.saving.serialize_keras_object(getattr(self, name))
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for name in cls.NETWORKS:
            config[name] = keras.saving.deserialize_keras_object(config[name])
        return cls(**config)

    # ----------------------------------------------------------------- training
    @property
    def metrics(self):
        return list(self.loss_trackers.values())

    def _record(self, losses: dict) -> dict:
        for name, value in losses.items():
            self.loss_trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.loss_trackers.items()}

    def compute_losses(self, x, y, training: bool = False) -> dict:
        raise NotImplementedError

    def test_step(self, data):
        x, y = self._unpack(data)
        return self._record(self.compute_losses(x, y, training=False))

    def _apply(self, tape, loss, player: str) -> None:
        """One optimizer step of ``player`` on ``loss`` (other players' networks stay frozen)."""
        variables = self._player_variables(player)
        grads = tape.gradient(loss, variables)
        getattr(self, f"{player}_optimizer").apply_gradients(zip(grads, variables))

    def fit(self, *args, callbacks=None, **kwargs):
        """``keras.Model.fit`` with a :class:`NanGuard` that stops diverging training; ``sample_weight`` and
        ``class_weight`` are refused (the scheme weights its classes by its own ``class_weights``)."""
        for name in ("sample_weight", "class_weight"):
            if kwargs.get(name) is not None:
                raise TypeError(_WEIGHTS_REFUSED.format(scheme=type(self).__name__, name=name))
        callbacks = list(callbacks or [])
        for callback in callbacks:
            self._check_monitor(callback)
        if not any(isinstance(c, NanGuard) for c in callbacks):
            callbacks.append(NanGuard())
        return super().fit(*args, callbacks=callbacks, **kwargs)

    def _check_monitor(self, callback) -> None:
        """``mode="min"`` for a callback monitoring one of :attr:`LOSSES` (Keras cannot infer it for a custom
        ``train_step``'s logs); a monitor that names no logged loss is refused with those that exist."""
        if not isinstance(callback, (keras.callbacks.EarlyStopping, keras.callbacks.ModelCheckpoint)):
            return  # ReduceLROnPlateau infers "min" itself; a callback of the user's own reads its own logs
        monitor = callback.monitor
        if monitor.removeprefix("val_") not in self.LOSSES:
            raise ValueError(
                f"{type(callback).__name__}(monitor={monitor!r}): {type(self).__name__} logs "
                f"{', '.join(self.LOSSES)} (val_<name> with validation data), each minimised; there is no overall "
                "loss. Monitor one of them"
            )
        if getattr(callback, "mode", None) == "auto":
            callback.mode = "min"

    def _unpack(self, data):
        """``(x, y)`` of a training batch; a third element (per-row weights from a dataset) is refused."""
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        if sample_weight is not None:
            raise TypeError(_WEIGHTS_REFUSED.format(scheme=type(self).__name__, name="sample_weight"))
        return x, y

    # ----------------------------------------------------------------- sampling
    def noise(self, batch, dim, seed=None):
        """Standard normal noise from the model's ``SeedGenerator`` (or an explicit int ``seed``)."""
        return keras.random.normal((batch, dim), seed=self.seed_generator if seed is None else seed)

    def one_hot(self, labels):
        return ops.one_hot(ops.cast(labels, "int32"), self.n_classes)

    def check_labels(self, labels) -> np.ndarray:
        labels = np.asarray(labels)
        if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"labels must be a 1-D integer array, got shape {labels.shape} {labels.dtype}")
        if labels.size and (labels.min() < 0 or labels.max() >= self.n_classes):
            raise ValueError(f"labels must lie in 0..{self.n_classes - 1}, got {labels.min()}..{labels.max()}")
        return labels.astype(np.int32)

    def generate(self, labels, seed: int | None = None, batch_size: int = 1024) -> np.ndarray:
        """Synthetic feature vectors (normalised scale) for the requested integer ``labels``."""
        labels = self.check_labels(labels)
        parts = []
        for start in range(0, labels.size, batch_size):
            chunk = labels[start : start + batch_size]
            part_seed = None if seed is None else seed + start
            noise = self.noise(chunk.size, self.noise_dim, part_seed)
            parts.append(ops.convert_to_numpy(self.synthesize(noise, chunk)))
        return np.concatenate(parts) if parts else np.zeros((0, *self.sample_shape), np.float32)

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """The shape of one example: ``(feature_dim,)`` (a frame-level scheme: ``(frames, features)``)."""
        return (self.feature_dim,)

    def synthesize(self, noise, labels):
        """Map explicit noise and labels to features (deterministic; used for export)."""
        raise NotImplementedError


def class_weights_for(y, n_classes: int) -> list[float]:
    """Weights ``n_max / n_k`` as a list (1.0 where a class is absent)."""
    return [w or 1.0 for w in balanced_class_weights(y, n_classes).values()]
