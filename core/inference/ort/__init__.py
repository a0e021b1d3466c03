"""The captioner on onnxruntime: graphs built from a model folder's weights, run without torch."""
