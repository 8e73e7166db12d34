"""serzoo: adversarial data augmentation for speech emotion recognition (Keras 3 / TensorFlow)."""

__version__ = "0.1.0"
