"""The per-class GAN baseline of Yi & Mak (eqs. 2-3), trained as ONE batched model.

The baseline is an unconditional feature-space GAN per emotion class: ``G_c(z)`` and ``D_c(x)``, trained only
on class ``c``'s utterances, with the non-saturating generator loss and D updated before G (as
:class:`serzoo.models.gan.GAN` with ``conditional=False``). Here the C class GANs are stacked weights
(:class:`serzoo.networks.ClassMLP`), so one train step updates every class's G and D with one batched matmul per
layer instead of C separate fits.

Each class still trains as its own GAN: every step takes one batch of EVERY class's own shuffled epoch (stacked
``[C, B, D]`` with a mask, :class:`ClassBatches`); the loss is the sum of the C per-class losses, so class ``c``'s
weights get exactly the gradient of its own loss; a class whose epoch is already finished (it has fewer batches
per epoch than the largest class) is absent from the step, and its weights AND its optimizer slots are restored
after the update (Adam moves weights even at zero gradient once it has momentum). The one difference from C
separate fits: the optimizer's step counter (Adam's bias correction) counts the batched steps, not each class's
own; it matters only when classes have different numbers of batches per epoch (never at batch 128 on EmoDB,
where every class fits one batch).

Revision note: this is revision 2 of the ``"gan"`` scheme (:data:`REVISION`). The committed results in
``benchmarks/results/`` were made with revision 1, C sequential fits of ``GAN(conditional=False)``.

Reference: Goodfellow et al. 2014; Yi & Mak, journal Sec. III-A (eqs. 2-3) and Table I ("GAN").
"""

from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from serzoo import losses
from serzoo.models.scheme import AdversarialScheme
from serzoo.networks import ClassMLP

#: Revision of the registered ``"gan"`` scheme: 1 = C sequential fits of ``GAN(conditional=False)`` (every result
#: committed before this module), 2 = this batched model.
REVISION = 2


class ClassBatches(keras.utils.PyDataset):
    """Steps of per-class batches: step ``s`` holds batch ``s`` of every class's own shuffled epoch.

    Yields ``(x [C, B, D], mask [C, B])`` with ``B = min(batch_size, largest class)``; a class with fewer rows
    than ``B`` in a step (its last batch) is padded and masked; a class whose epoch is finished is all-masked.
    An epoch has as many steps as the largest class has batches.

    Args:
        x, y: training features ``[n, D]`` and integer labels ``[n]``.
        n_classes: number of classes (a class without rows is never present).
        batch_size: batch size of every class's GAN.
        seed: seed of the per-epoch shuffles.
        shuffle: shuffle every class's rows each epoch.
    """

    def __init__(self, x, y, n_classes: int, batch_size: int, *, seed: int, shuffle: bool = True):
        super().__init__()
        self.x, y = np.asarray(x, np.float32), np.asarray(y)
        if self.x.ndim != 2 or y.shape != (self.x.shape[0],):
            raise ValueError(f"expected x [n, features] and labels y [n], got {self.x.shape} and {y.shape}")
        if y.size and (y.min() < 0 or y.max() >= n_classes):
            raise ValueError(f"labels y must lie in 0..{n_classes - 1}, got {y.min()}..{y.max()}")
        if int(batch_size) < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size!r}")
        self.rows = [np.flatnonzero(y == c) for c in range(n_classes)]
        largest = max(len(r) for r in self.rows)
        if largest == 0:
            raise ValueError("no training rows: every class is empty")
        self.width = min(int(batch_size), largest)
        self.steps = max(math.ceil(len(r) / self.width) for r in self.rows)
        self.seed, self.shuffle, self.epoch, self._order = seed, shuffle, 0, None

    def __len__(self):
        return self.steps

    def order(self) -> list[np.ndarray]:
        """Every class's rows in this epoch's order."""
        if self._order is None:
            rng = np.random.default_rng([self.seed, self.epoch])
            self._order = [rng.permutation(r) if self.shuffle else r for r in self.rows]
        return self._order

    def __getitem__(self, step):
        index = np.zeros((len(self.rows), self.width), np.int64)
        mask = np.zeros((len(self.rows), self.width), np.float32)
        for c, rows in enumerate(self.order()):
            chunk = rows[step * self.width : (step + 1) * self.width]
            index[c, : chunk.size], mask[c, : chunk.size] = chunk, 1.0
        return self.x[index], mask

    def on_epoch_end(self):
        self.epoch, self._order = self.epoch + 1, None


@keras.saving.register_keras_serializable(package="serzoo")
class PerClassGAN(AdversarialScheme):
    """C unconditional feature-space GANs (one per class) as one model; see the module docstring.

    Args:
        generator: :class:`~serzoo.networks.ClassMLP`, noise → features, one network per class.
        discriminator: :class:`~serzoo.networks.ClassMLP`, features → one logit, one network per class.
        n_classes: number of classes (the networks' ``n_classes``).
        class_weights: accepted for the common interface; unused (each class has its own GAN).
        seed: seed of the model's ``SeedGenerator`` and of the per-class batch shuffles.
    """

    PLAYERS = {"discriminator": ("discriminator",), "generator": ("generator",)}
    NETWORKS = ("generator", "discriminator")
    LOSSES = ("discriminator_loss", "generator_loss")

    def __init__(
        self, generator, discriminator, *, n_classes: int, class_weights=None, seed: int | None = None, **kwargs
    ):
        super().__init__(n_classes=n_classes, class_weights=class_weights, seed=seed, **kwargs)
        for name, network in (("generator", generator), ("discriminator", discriminator)):
            if not isinstance(network, ClassMLP) or network.n_classes != self.n_classes:
                raise ValueError(
                    f"{name} must be a ClassMLP with n_classes={self.n_classes}; "
                    "build the model with build_per_class_gan"
                )
        if discriminator.output_dim != 1 or generator.output_dim != discriminator.input_dim:
            raise ValueError(
                f"generator output ({generator.output_dim}) must match the discriminator input "
                f"({discriminator.input_dim}), and the discriminator must output 1 logit"
            )
        self.generator, self.discriminator = generator, discriminator
        self.noise_dim, self.feature_dim = generator.input_dim, discriminator.input_dim
        self.build((None, self.feature_dim))

    def call(self, x, training=False):
        """Logits of every class's discriminator for each row: ``[n, n_classes]``."""
        stacked = ops.broadcast_to(ops.expand_dims(x, 0), (self.n_classes, ops.shape(x)[0], self.feature_dim))
        return ops.transpose(self.discriminator(stacked)[..., 0])

    def synthesize(self, noise, labels):
        """``G_y(z)``: each noise row through the generator of its label."""
        return self.generator.for_labels(noise, labels)

    # ----------------------------------------------------------------- training
    def steps_per_epoch(self, x, y, batch_size: int) -> int:
        """As many steps as the largest class has batches (:class:`ClassBatches`)."""
        return len(ClassBatches(x, y, self.n_classes, batch_size, seed=0, shuffle=False))

    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        shuffle=True,
        validation_data=None,
        validation_batch_size=None,
        **kwargs,
    ):
        """``fit(x, y, batch_size, epochs)`` on arrays: every class's GAN on its own batches (:class:`ClassBatches`)."""
        if x is None or y is None or isinstance(x, (tf.data.Dataset, keras.utils.PyDataset)):
            raise ValueError("PerClassGAN.fit takes feature and label arrays: fit(x, y, batch_size=..., epochs=...)")
        seed = self.seed if self.seed is not None else int(np.random.randint(2**31))
        batches = ClassBatches(x, y, self.n_classes, batch_size or 32, seed=seed, shuffle=shuffle)
        if validation_data is not None and validation_batch_size is None:
            validation_batch_size = batch_size
        return super().fit(
            batches,
            epochs=epochs,
            validation_data=validation_data,
            validation_batch_size=validation_batch_size,
            **kwargs,
        )

    def _fake_logits(self, batch):
        """Every class's ``D_c(G_c(z))`` for ``batch`` fresh noise rows per class: ``[C, batch]``."""
        noise = keras.random.normal((self.n_classes, batch, self.noise_dim), seed=self.seed_generator)
        return self.discriminator(self.generator(noise))[..., 0]

    def _class_losses(self, x, mask) -> dict:
        """Per-class D and G losses ``[C]`` (eqs. 2-3) of stacked real rows ``x [C, B, D]`` under ``mask [C, B]``."""
        fake_logits = self._fake_logits(ops.shape(x)[1])
        real_logits = self.discriminator(x)[..., 0]
        return {
            "discriminator_loss": losses.discriminator_loss_per_row(real_logits, fake_logits, mask),
            "generator_loss": losses.generator_loss_non_saturating_per_row(fake_logits, mask),
        }

    @staticmethod
    def _present_mean(per_class, present):
        """The mean over the classes present in the step (what C separate fits would log on average)."""
        present = ops.cast(present, per_class.dtype)
        return ops.sum(per_class * present) / ops.maximum(ops.sum(present), 1.0)

    def compute_losses(self, x, y, training=False):
        """Losses of flat labelled data: class ``c``'s GAN on the rows labelled ``c``."""
        mask = ops.transpose(self.one_hot(y))
        stacked = ops.broadcast_to(ops.expand_dims(x, 0), (self.n_classes, ops.shape(x)[0], self.feature_dim))
        present = ops.sum(mask, axis=1) > 0
        return {k: self._present_mean(v, present) for k, v in self._class_losses(stacked, mask).items()}

    def train_step(self, data):
        x, mask = self._unpack(data)
        present = ops.sum(mask, axis=1) > 0
        with tf.GradientTape() as tape:
            discriminator_loss = self._class_losses(x, mask)["discriminator_loss"]
            total = ops.sum(discriminator_loss)
        self._apply_present(tape, total, "discriminator", present)
        with tf.GradientTape() as tape:
            generator_loss = losses.generator_loss_non_saturating_per_row(self._fake_logits(ops.shape(x)[1]), mask)
            total = ops.sum(generator_loss)  # (D on the real rows is not needed for G's step)
        self._apply_present(tape, total, "generator", present)
        return self._record(
            {
                "discriminator_loss": self._present_mean(discriminator_loss, present),
                "generator_loss": self._present_mean(generator_loss, present),
            }
        )

    def _apply_present(self, tape, loss, player: str, present) -> None:
        """One optimizer step of ``player``; classes not ``present`` keep their weights and optimizer slots.

        ``loss`` is the sum of the per-class losses, so each class's slice of the gradient is its own loss's.
        """
        variables = self._player_variables(player)
        optimizer = getattr(self, f"{player}_optimizer")
        grads = tape.gradient(loss, variables)
        guarded = variables + self._class_slots(optimizer)
        before = [tf.identity(v.value) for v in guarded]
        optimizer.apply_gradients(zip(grads, variables))
        for variable, old in zip(guarded, before):
            keep = ops.reshape(present, (self.n_classes,) + (1,) * (len(variable.shape) - 1))
            variable.assign(ops.where(keep, variable.value, old))

    def _class_slots(self, optimizer) -> list:
        """The optimizer's per-variable slots (momenta, ...): every non-scalar variable, class axis first."""
        slots = [v for v in optimizer.variables if len(v.shape) > 0]
        wrong = [v.path for v in slots if v.shape[0] != self.n_classes]
        if wrong:
            raise ValueError(
                f"{type(optimizer).__name__} keeps state {wrong} without the class axis first; "
                "PerClassGAN can only mask optimizers whose slots have their variable's shape (Adam, SGD)"
            )
        return slots


def build_per_class_gan(
    input_dim: int,
    n_classes: int,
    *,
    noise_dim: int = 100,
    generator_width: int = 800,
    discriminator_width: int = 100,
    **scheme_options,
) -> PerClassGAN:
    """C class GANs with the architecture of :func:`serzoo.models.gan.build_gan` (``conditional=False``):
    G ``noise_dim`` → 2 × ``generator_width`` ReLU → features, D features → 2 × ``discriminator_width`` ReLU → logit.
    """
    return PerClassGAN(
        generator=ClassMLP(n_classes, noise_dim, (generator_width,) * 2, input_dim, name="generator"),
        discriminator=ClassMLP(n_classes, input_dim, (discriminator_width,) * 2, 1, name="discriminator"),
        n_classes=n_classes,
        **scheme_options,
    )
