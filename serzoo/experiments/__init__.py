"""Paper protocols: leave-one-group-out evaluation and (later) augmentation sweeps."""
