import { parentPort } from 'node:worker_threads';
import { readFileDigests } from './readFile.js';
import { decodeOneThreadPerPicture } from '../image/decode.js';
import type { AnalyseAnswer, AnalyseQuestion, ReadRequest, ReadResponse } from './readRequest.js';

if (!parentPort) throw new Error('read.worker must run as a worker thread');
const port = parentPort;
// The pool runs one reader per core, each with pictures of its own to decode.
decodeOneThreadPerPicture();

const answers = new Map<number, (analyse: boolean) => void>();

function shouldAnalyse(id: number, sha256: string): Promise<boolean> {
  return new Promise((resolve) => {
    answers.set(id, resolve);
    port.postMessage({ id, question: 'analyse', sha256 } satisfies AnalyseQuestion);
  });
}

port.on('message', (msg: ReadRequest | AnalyseAnswer) => {
  if ('analyse' in msg) {
    answers.get(msg.id)?.(msg.analyse);
    answers.delete(msg.id);
    return;
  }
  void readFileDigests(msg, (sha256) => shouldAnalyse(msg.id, sha256)).then((res: ReadResponse) => port.postMessage(res));
});
