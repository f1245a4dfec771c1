// Runs one attack in a worker thread, so that its clients' work (handshakes, key signing, stream
// bookkeeping) doesn't sit in the event loop of the well-behaved client being timed.
// Protocol: workerData is an AttackSpec; the worker posts {engaged} once the load is in place,
// and on the message 'stop' posts {report}; the parent then terminates it.
import { parentPort, workerData } from 'node:worker_threads';
import { startAttack, type AttackReport, type AttackSpec } from './attacks.js';

export type WorkerMessage = { readonly engaged: true } | { readonly report: AttackReport } | { readonly error: string };

const port = parentPort;
if (!port) throw new Error('attackWorker runs as a worker thread');
const attack = startAttack(workerData as AttackSpec);
void attack.engaged.then(() => port.postMessage({ engaged: true } satisfies WorkerMessage));
port.once('message', () => {
  attack.stop().then(
    (report) => port.postMessage({ report } satisfies WorkerMessage),
    (e: unknown) => port.postMessage({ error: e instanceof Error ? e.message : String(e) } satisfies WorkerMessage),
  );
});
