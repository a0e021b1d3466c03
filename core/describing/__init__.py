"""Describing an image: capture, visible text, the kind of image, and the words said."""
