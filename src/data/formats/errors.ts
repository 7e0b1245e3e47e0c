import { FormatError } from '../../io/format_error.js';

/** A dataset file (IDX, CIFAR binary, tar) that is truncated, corrupt or not the format it should be. */
export class DatasetFileError extends FormatError {
  constructor(format: 'idx' | 'cifar' | 'tar', message: string) {
    super(format, message);
    this.name = 'DatasetFileError';
  }
}
