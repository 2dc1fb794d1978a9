import { parentPort } from 'node:worker_threads';
import { readFileDigests } from './readFile.js';
import { decodeOneThreadPerPicture } from '../image/decode.js';
import type { ReadRequest, ReadResponse } from './readRequest.js';

if (!parentPort) throw new Error('read.worker must run as a worker thread');
const port = parentPort;
// The pool runs one reader per core, each with pictures of its own to decode.
decodeOneThreadPerPicture();

port.on('message', (req: ReadRequest) => {
  void readFileDigests(req).then((res: ReadResponse) => port.postMessage(res));
});
