"""serzoo's own exception types (no TensorFlow import, so the CLI can catch them cheaply)."""


class DivergenceError(FloatingPointError):
    """Training produced a non-finite loss."""
