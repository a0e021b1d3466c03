"""Training the projector (and optionally GPT-2) on a feature cache."""
