"""TFDS builders of serzoo's corpora; importing a builder module registers it with TFDS."""
