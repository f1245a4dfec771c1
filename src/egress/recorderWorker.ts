// The recorder thread: turns the bytes sessions send it into asciicast files (UTF-8 decoding,
// JSON escaping and file writes cost about as much CPU as the SSH crypto itself, so they run
// here, off the thread that moves the sessions' data). Each data message is acknowledged once its
// event reached the file, which is what gives the sessions their backpressure.
import { parentPort } from 'node:worker_threads';
import { CastWriter, type CastHeader } from './asciicast.js';
import type { ToRecorder, FromRecorder } from './recorderProtocol.js';

const port = parentPort;
if (!port) throw new Error('recorderWorker runs as a worker thread');
const writers = new Map<number, CastWriter>();
const post = (m: FromRecorder): void => port.postMessage(m);

port.on('message', (m: ToRecorder) => {
  switch (m.op) {
    case 'open': {
      const w = new CastWriter(m.file, m.header as CastHeader);
      writers.set(m.id, w);
      void w.ready().then((err) => post({ op: 'ready', id: m.id, error: err ? err.message : null }));
      break;
    }
    case 'data': {
      const w = writers.get(m.id);
      const bytes = m.bytes;
      const ack = (): void => post({ op: 'ack', id: m.id, bytes });
      if (!w) return ack();
      if (m.code === 'r') w.resize(m.cols ?? 0, m.rows ?? 0, m.atMs, ack);
      else if (m.code === 'e') w.errorOutput(Buffer.from(m.buf ?? new Uint8Array(0)), m.atMs, ack);
      else w.output(Buffer.from(m.buf ?? new Uint8Array(0)), m.atMs, ack);
      break;
    }
    case 'close': {
      const w = writers.get(m.id);
      writers.delete(m.id);
      if (!w) return post({ op: 'closed', id: m.id });
      void w.close().then(() => post({ op: 'closed', id: m.id }));
      break;
    }
  }
});
