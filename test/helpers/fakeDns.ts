// A real name server on 127.0.0.1 for tests (UDP, one question per query): it answers the names
// it is given with one A record, and the reverse names it is given (ptrName) with one PTR record
// (and an empty answer to other types), never answers any other name (a hanging server), and
// counts every query, so tests can assert what was asked, and that nothing was. The bastion's resolver is pointed at it with dnsServers: no query leaves loopback.
import dgram from 'node:dgram';

/**
 * A name server on loopback: `answers` maps names to an IPv4 address, and reverse names
 * (ptrName(ip)) to a host name; any other name is never answered.
 */
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

/** The name a reverse (PTR) query for an IPv4 address asks about: 7.0.0.127.in-addr.arpa. */
export function ptrName(ip: string): string {
  return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
}

function encodeName(name: string): Buffer {
  const parts = name.split('.').filter((l) => l.length > 0);
  return Buffer.concat([...parts.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])]);
}

function record(type: number, rdata: Buffer): Buffer {
  const rr = Buffer.alloc(12);
  rr.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
  rr.writeUInt16BE(type, 2);
  rr.writeUInt16BE(1, 4);
  rr.writeUInt32BE(60, 6);
  rr.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([rr, rdata]);
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
    const reverse = q.name.endsWith('.arpa');
    const rr = !reverse && qtype === 1 ? record(1, Buffer.from(ip.split('.').map(Number))) : reverse && qtype === 12 ? record(12, encodeName(ip)) : null;
    header.writeUInt16BE(rr ? 1 : 0, 6);
    const parts: Buffer[] = [header, question];
    if (rr) parts.push(rr);
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
