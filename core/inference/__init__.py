"""Running the caption model: onnxruntime and torch, precision chosen by measured agreement."""
