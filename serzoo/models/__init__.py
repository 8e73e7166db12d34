"""Keras models: one adversarial scheme per module, plus the baseline classifiers."""
