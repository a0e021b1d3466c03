"""Measuring captions: the COCO caption metrics and CLIPScore."""
