/** Errors of the ONNX exporter and importer. */
import { FormatError } from '../format_error.js';

/** Thrown for a model that cannot be exported, or an ONNX file that is malformed or uses unsupported ops. */
export class OnnxError extends FormatError {
  constructor(message: string) {
    super('onnx', message);
    this.name = 'OnnxError';
  }
}
