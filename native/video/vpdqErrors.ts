import { KestrelError } from '../util/result.js';

/** A vPDQ hash file that does not parse: one line naming the file and the line or item. */
export class VpdqFormatError extends KestrelError {
  constructor(message: string) {
    super(message, 'E_VPDQ_FORMAT');
  }
}
