"""Paper protocols and the machinery they share: the fold loop, the augmentation harness, resumable unit
stores and worker processes."""
