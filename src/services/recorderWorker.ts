// The recorder thread: turns the bytes sessions send it into asciicast files, off the thread that
// moves the sessions' data. Every data message is acknowledged once its event is written, which is
// what gives the sessions their backpressure. One encoder (and its buffer) serves every recording.
import { parentPort } from 'node:worker_threads';
import type { CastHeader } from './recording.js';
import { CastEncoder } from './castEncoding.js';
import { CastFile } from './castFile.js';
import type { FromRecorder, ToRecorder } from './recorderProtocol.js';

const port = parentPort;
if (!port) throw new Error('recorderWorker runs as a worker thread');
const encoder = new CastEncoder();
const files = new Map<number, CastFile>();
const post = (m: FromRecorder): void => port.postMessage(m);

port.on('message', (m: ToRecorder) => {
  switch (m.op) {
    case 'open': {
      const f = new CastFile(m.file, m.header as CastHeader, encoder);
      files.set(m.id, f);
      post({ op: 'ready', id: m.id, error: f.error ? f.error.message : null });
      break;
    }
    case 'data':
      files.get(m.id)?.write(m.code, new Uint8Array(m.buf, 0, m.bytes), m.atMs);
      // Written (synchronously): the buffer goes back to be filled again.
      port.postMessage({ op: 'ack', id: m.id, bytes: m.bytes, buf: m.buf } satisfies FromRecorder, [m.buf]);
      break;
    case 'resize':
      files.get(m.id)?.resize(m.cols, m.rows, m.atMs);
      post({ op: 'ack', id: m.id, bytes: 1 });
      break;
    case 'close':
      files.get(m.id)?.close();
      files.delete(m.id);
      post({ op: 'closed', id: m.id });
      break;
  }
});
