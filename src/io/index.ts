/** safetensors, PyTorch checkpoints and ONNX (the training and interop issues fill this namespace). */
export {};
