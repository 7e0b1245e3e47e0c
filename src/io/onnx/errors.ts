/** Errors of the ONNX exporter and importer. */

/** Thrown for a model that cannot be exported, or an ONNX file that is malformed or uses unsupported ops. */
export class OnnxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxError';
  }
}
