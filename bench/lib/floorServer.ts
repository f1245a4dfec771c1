// The floor: a bare ssh2 server that does what any SSH exec must (handshake, public-key
// authentication with a verified signature, one exec) and nothing else, answering every exec
// with a fixed envelope. Same algorithms and host key type as Gatehouse, TCP no-delay as
// SSH2-NOTES.md says. Run as a child: node floorServer.js HOSTKEY AUTHORIZED_PUBKEY ALGORITHMS_JSON;
// prints "listening PORT" when ready. The algorithm list comes from the parent (Gatehouse's own
// list) so that this process loads nothing but ssh2, and its memory is a fair baseline.
import fs from 'node:fs';
import net from 'node:net';
import ssh2, { type Algorithms } from 'ssh2';
const { Server, utils } = ssh2;

const [hostKeyFile, authorizedFile, algorithmsJson] = process.argv.slice(2);
if (!hostKeyFile || !authorizedFile || !algorithmsJson) {
  process.stderr.write('usage: floorServer.js HOSTKEY AUTHORIZED_PUBKEY ALGORITHMS_JSON\n');
  process.exit(2);
}
const ALGORITHMS = JSON.parse(algorithmsJson) as Algorithms;
const allowed = utils.parseKey(fs.readFileSync(authorizedFile, 'utf8').trim());
if (allowed instanceof Error || Array.isArray(allowed)) throw new Error(`${authorizedFile}: not one public key`);
const allowedBlob = allowed.getPublicSSH();
const ENVELOPE = '\nJSON_START\n{"command":"info","error_code":"OK","error_message":"OK","value":null}\nJSON_END\n';

const ssh = new Server({ hostKeys: [fs.readFileSync(hostKeyFile)], ident: 'Floor_1.0', algorithms: ALGORITHMS });
ssh.on('connection', (client) => {
  client.on('error', () => {});
  client.on('authentication', (ctx) => {
    if (ctx.method !== 'publickey') return ctx.reject(['publickey']);
    if (ctx.key.algo !== allowed.type || !ctx.key.data.equals(allowedBlob)) return ctx.reject(['publickey']);
    if (!ctx.signature) return ctx.accept();
    if (ctx.blob === undefined || allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(['publickey']);
    ctx.accept();
  });
  client.on('ready', () => {
    client.on('session', (accept) => {
      const session = accept();
      session.on('env', (ok) => ok?.());
      session.on('pty', (ok) => ok?.());
      session.on('exec', (ok) => {
        const channel = ok?.();
        if (!channel) return;
        // Answer on the next turn of the event loop, as any real server does after its own work
        // (Gatehouse answers after its parsing and store queries). Written in the same tick as the
        // exec reply, the whole answer leaves before the OpenSSH client's last packets are
        // acknowledged: the client (Nagle on, as OpenSSH leaves it for non-interactive sessions)
        // then waits out the kernel's delayed ACK, about 40 ms, which made this floor slower than
        // Gatehouse itself.
        setImmediate(() => {
          channel.write(ENVELOPE);
          channel.exit(0);
          channel.end();
        });
      });
    });
  });
});
const tcp = net.createServer({ noDelay: true }, (sock) => {
  sock.on('error', () => {});
  ssh.injectSocket(sock);
});
tcp.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(tcp.address() as net.AddressInfo).port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
