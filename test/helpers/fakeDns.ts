// A real name server on 127.0.0.1 for tests (UDP, one question per query): it answers the names
// it is given with one A record (and an empty answer to other types), never answers any other
// name (a hanging server), and counts every query, so tests can assert what was asked, and that
// nothing was. The bastion's resolver is pointed at it with dnsServers: no query leaves loopback.
import dgram from 'node:dgram';

/** A name server on loopback: `answers` maps names to an IPv4 address; any other name is never answered. */
export interface FakeDns {
  readonly port: number;
  /** Queries received, by name (lower case). */
  readonly queries: Map<string, number>;
  total(): number;
  close(): Promise<void>;
}

function readName(msg: Buffer, at: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = at;
  while (i < msg.length) {
    const len = msg[i] as number;
    if (len === 0) return { name: labels.join('.').toLowerCase(), end: i + 1 };
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('latin1'));
    i += 1 + len;
  }
  return { name: labels.join('.').toLowerCase(), end: i };
}

export async function startFakeDns(answers: Record<string, string>): Promise<FakeDns> {
  const sock = dgram.createSocket('udp4');
  const queries = new Map<string, number>();
  sock.on('message', (msg, from) => {
    if (msg.length < 12) return;
    const q = readName(msg, 12);
    queries.set(q.name, (queries.get(q.name) ?? 0) + 1);
    const ip = answers[q.name];
    if (ip === undefined) return; // the hanging name server
    const qtype = msg.readUInt16BE(q.end);
    const question = msg.subarray(12, q.end + 4);
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);
    header.writeUInt16BE(0x8180, 2); // a response, recursion available, no error
    header.writeUInt16BE(1, 4);
    const withA = qtype === 1;
    header.writeUInt16BE(withA ? 1 : 0, 6);
    const parts = [header, question];
    if (withA) {
      const rr = Buffer.alloc(16);
      rr.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
      rr.writeUInt16BE(1, 2);
      rr.writeUInt16BE(1, 4);
      rr.writeUInt32BE(60, 6);
      rr.writeUInt16BE(4, 10);
      Buffer.from(ip.split('.').map(Number)).copy(rr, 12);
      parts.push(rr);
    }
    sock.send(Buffer.concat(parts), from.port, from.address);
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  return {
    port: sock.address().port,
    queries,
    total: () => [...queries.values()].reduce((a, b) => a + b, 0),
    close: () => new Promise<void>((resolve) => sock.close(() => resolve())),
  };
}
