"""Quality of synthetic emotion features against real ones (Sahu et al.'s metrics 1-3, MMD).

- TRTS (metric 1): a linear SVM trained on real data labels the synthetic data (UAR);
- TSTR (metric 2): trained on synthetic data, tested on real data (UAR);
- FID (metric 3): Fréchet distance on the third hidden layer of an MLP (4 × 64 ReLU, softmax)
  trained on real data for 30 epochs (:class:`FidScorer`);
- MMD with the RBF mixture of Yi & Mak (:func:`serzoo.metrics.mmd_rbf`).

Example:
    >>> scorer = FidScorer(n_classes=7, seed=0).fit(x_train, y_train)   # doctest: +SKIP
    >>> scorer.score(x_train, synthetic)                                # doctest: +SKIP
    >>> generator_quality(x_train, y_train, synthetic, y_syn, 7)        # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses

import numpy as np

from serzoo.metrics import frechet_distance, mmd_rbf, unweighted_average_recall


def generator_quality(x_real, y_real, x_syn, y_syn, n_classes: int, *, fid: bool = False, tstr: bool = True) -> dict:
    """MMD, TRTS and TSTR (UAR) — and FID if ``fid`` — between real and synthetic normalised features.

    ``tstr=False`` leaves TSTR out: its SVM trains on the synthetic set, and libsvm can take many minutes to
    converge on samples far outside the data's scale (a search's failed generators), while TRTS's trains on real data.
    """
    from serzoo.models.classifiers import LinearSvm

    on_synthetic = LinearSvm().fit(x_real, y_real).predict(x_syn)
    quality = {"mmd": mmd_rbf(x_real, x_syn), "trts_uar": unweighted_average_recall(y_syn, on_synthetic, n_classes)}
    if tstr:
        on_real = LinearSvm().fit(x_syn, y_syn).predict(x_real)
        quality["tstr_uar"] = unweighted_average_recall(y_real, on_real, n_classes)
    if fid:
        quality["fid"] = FidScorer(n_classes).fit(x_real, y_real).score(x_real, x_syn)
    return quality


@dataclasses.dataclass
class FidScorer:
    """Embedding network of the FID and the score (Sahu et al., "metric 3").

    Args:
        n_classes: classes of the softmax output.
        widths: hidden layers (paper: 4 × 64); the embedding is hidden layer ``layer`` (1-based).
        epochs, batch_size, learning_rate: training of the MLP on real data (paper: 30 epochs).
        seed: seed of the initialisation and shuffling.
    """

    n_classes: int
    widths: tuple = (64, 64, 64, 64)
    layer: int = 3
    epochs: int = 30
    batch_size: int = 32
    learning_rate: float = 1e-3
    seed: int = 0

    def fit(self, x, y):
        import keras

        from serzoo.networks import mlp

        keras.utils.set_random_seed(self.seed)
        x = np.asarray(x, np.float32)
        network = mlp(x.shape[1], self.widths, output_dim=self.n_classes, output_activation="softmax", name="fid")
        network.compile(optimizer=keras.optimizers.Adam(self.learning_rate), loss="sparse_categorical_crossentropy")
        network.fit(x, np.asarray(y), batch_size=self.batch_size, epochs=self.epochs, verbose=0)
        hidden = network.get_layer(f"fid_act{self.layer - 1}").output
        self.embedding_ = keras.Model(network.input, hidden)
        return self

    def embed(self, x) -> np.ndarray:
        return np.asarray(self.embedding_.predict(np.asarray(x, np.float32), verbose=0, batch_size=1024))

    def score(self, x_real, x_synthetic) -> float:
        """FID between two sets of (normalised) feature vectors."""
        return frechet_distance(self.embed(x_real), self.embed(x_synthetic))
