// The login deadline (loginGraceTimeSeconds, 1 s here): a client that connects and sends nothing,
// one that stalls in the handshake and one that never authenticates are dropped; a client that
// logged in is not.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import ssh2 from 'ssh2';
import { greppable, sshCall } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { logLines, waitFor } from '../helpers/wait.js';
const { Client } = ssh2;

let srv: TestServer;
before(async () => {
  srv = await startTestServer({ config: { loginGraceTimeSeconds: 1 } });
});
after(async () => {
  await srv.close();
});

/** Connects, optionally writes, and resolves with what the server sent once it closes. */
function rawClient(send?: string): Promise<{ received: string; closedBy: 'server' }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(srv.port, '127.0.0.1');
    let received = '';
    const guard = setTimeout(() => {
      sock.destroy();
      reject(new Error(`the server kept a silent client open; received: ${JSON.stringify(received)}`));
    }, 15000);
    sock.on('data', (d) => (received += d.toString('latin1')));
    sock.on('connect', () => {
      if (send !== undefined) sock.write(send);
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(guard);
      resolve({ received, closedBy: 'server' });
    });
  });
}

test('a TCP client that sends nothing is dropped after the grace time', async () => {
  const before = logLines(srv.logs, 'login grace time exceeded, dropping').length;
  const r = await rawClient();
  assert.match(r.received, /^SSH-2\.0-Gatehouse_\S+\r\n/);
  await waitFor('the grace log line', () => logLines(srv.logs, 'login grace time exceeded, dropping').length === before + 1);
});

test('a client that stalls after its identification line is dropped', async () => {
  const r = await rawClient('SSH-2.0-OpenSSH_9.2\r\n');
  assert.match(r.received, /^SSH-2\.0-Gatehouse_/);
  // The server had started the key exchange (its KEXINIT follows the identification line).
  assert.ok(r.received.length > 'SSH-2.0-Gatehouse_x\r\n'.length);
});

test('a client that finishes the key exchange but never authenticates is dropped', async () => {
  const events: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const c = new Client();
    const guard = setTimeout(() => {
      c.end();
      reject(new Error('not dropped'));
    }, 15000);
    c.on('handshake', () => events.push('handshake'));
    c.on('ready', () => events.push('ready'));
    c.on('error', () => events.push('error'));
    c.on('close', () => {
      clearTimeout(guard);
      resolve();
    });
    // An authentication handler that never answers: the client sits between methods.
    c.connect({ host: '127.0.0.1', port: srv.port, username: 'admin', readyTimeout: 20000, authHandler: () => undefined });
  });
  assert.ok(events.includes('handshake'), events.join(','));
  assert.equal(events.includes('ready'), false);
});

test('an authenticated connection outlives the grace time', async () => {
  const out = await new Promise<string>((resolve, reject) => {
    const c = new Client();
    c.on('error', reject);
    c.on('ready', () => {
      // Idle well past the 1 s login deadline, then run a command on the same connection.
      setTimeout(() => {
        c.exec('--osh info --json-greppable --quiet', (err, ch) => {
          if (err) return reject(err);
          let stdout = '';
          ch.on('data', (d: Buffer) => (stdout += d.toString()));
          ch.on('close', () => {
            c.end();
            resolve(stdout);
          });
        });
      }, 2500);
    });
    c.connect({ host: '127.0.0.1', port: srv.port, username: 'admin', privateKey: srv.admin.key.privateKey });
  });
  assert.equal(greppable(out).error_code, 'OK');
});

test('a normal OpenSSH login is well within the grace time', async () => {
  const r = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--osh', 'info', '--json-greppable']);
  assert.equal(r.code, 0, r.stderr);
});
