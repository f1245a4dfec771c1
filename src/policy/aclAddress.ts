// Addresses in access lists: one IPv4/IPv6 address or a CIDR block, validated and normalised as
// The Bastion's is_valid_ip (lib/perl/OVH/Bastion.pm) does, and turned into the fixed-width
// network/broadcast blobs the store indexes. IPv6 parsing and prefix maths use ipaddr.js; IPv4 is
// read with The Bastion's own decimal rule (leading zeros are decimal, "010" is 10, never octal
// as inet_aton and ipaddr.js would read it).
import ipaddr from 'ipaddr.js';
import { R, type Result } from '../kernel/result.js';

export interface AclAddress {
  /** Canonical text: "192.0.2.1", "192.0.2.0/24", "2001:db8::1", "2001:db8::/32". */
  readonly ip: string;
  readonly family: 4 | 6;
  /** 32 or 128 for a single address. */
  readonly prefixLen: number;
  /** Network address, 4 or 16 bytes, big-endian. */
  readonly start: Buffer;
  /** Broadcast (last) address, same width. */
  readonly end: Buffer;
  readonly single: boolean;
}

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,3}))?$/;

function invalid(text: string, why = ''): Result<AclAddress> {
  return R('KO_INVALID_IP', { msg: `Invalid IP address (${text})${why}` });
}

/** Parses an address or block. Host bits set under the prefix ("10.0.0.1/8") are refused, as in The Bastion. */
export function parseAddress(input: string, opts: { allowSubnets: boolean }): Result<AclAddress> {
  const text = input.replace(/^\[|\]$/g, '');
  const m4 = V4.exec(text);
  if (m4) {
    const octets = [m4[1], m4[2], m4[3], m4[4]].map((o) => Number(o));
    if (octets.some((o) => o > 255)) return invalid(input);
    const prefixLen = m4[5] === undefined ? 32 : Number(m4[5]);
    if (prefixLen > 32) return invalid(input);
    if (!opts.allowSubnets && prefixLen !== 32) return invalid(input, ', as subnets are not allowed');
    return fromBytes(Buffer.from(octets), 4, prefixLen, input);
  }
  if (!text.includes(':') || text.includes('%')) return invalid(input);
  const slash = text.indexOf('/');
  const addrText = slash === -1 ? text : text.slice(0, slash);
  const lenText = slash === -1 ? '128' : text.slice(slash + 1);
  if (!ipaddr.IPv6.isValid(addrText) || !/^\d{1,3}$/.test(lenText)) return invalid(input);
  const prefixLen = Number(lenText);
  if (prefixLen > 128) return invalid(input);
  if (!opts.allowSubnets && prefixLen !== 128) return invalid(input, ', as subnets are not allowed');
  return fromBytes(Buffer.from(ipaddr.IPv6.parse(addrText).toByteArray()), 6, prefixLen, input);
}

function fromBytes(bytes: Buffer, family: 4 | 6, prefixLen: number, input: string): Result<AclAddress> {
  const start = networkOf(bytes, prefixLen);
  if (!start.equals(bytes)) {
    return R('KO_INVALID_IP', { msg: `Invalid prefix length (${prefixLen}) for this prefix (${input})` });
  }
  const end = broadcastOf(bytes, prefixLen);
  const single = prefixLen === bytes.length * 8;
  const base = family === 4 ? [...bytes].join('.') : ipaddr.fromByteArray([...bytes]).toString();
  return R('OK', { value: { ip: single ? base : `${base}/${prefixLen}`, family, prefixLen, start, end, single } });
}

/** The first address of the /prefixLen block holding `bytes`. */
export function networkOf(bytes: Buffer, prefixLen: number): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, prefixLen - i * 8));
    out[i] = (out[i] as number) & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

/** The last address of the /prefixLen block holding `bytes`. */
export function broadcastOf(bytes: Buffer, prefixLen: number): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, prefixLen - i * 8));
    out[i] = (out[i] as number) | (0xff >> keep);
  }
  return out;
}

/**
 * Every network start a block containing `a` can have: the /0 … /a.prefixLen networks of its
 * start address, without duplicates. An entry contains `a` exactly when its start is one of
 * these and its end is at or past a's end: that is how the store finds entries in a few probes.
 */
export function candidateStarts(a: Pick<AclAddress, 'start' | 'prefixLen'>): Buffer[] {
  const seen = new Set<string>();
  const out: Buffer[] = [];
  for (let p = 0; p <= a.prefixLen; p++) {
    const n = networkOf(a.start, p);
    const k = n.toString('hex');
    if (!seen.has(k)) {
      seen.add(k);
      out.push(n);
    }
  }
  return out;
}

/** Whether block `outer` contains block (or address) `inner`. */
export function contains(
  outer: { readonly family: number; readonly start: Buffer; readonly end: Buffer },
  inner: { readonly family: number; readonly start: Buffer; readonly end: Buffer },
): boolean {
  return outer.family === inner.family && Buffer.compare(outer.start, inner.start) <= 0 && Buffer.compare(outer.end, inner.end) >= 0;
}

/** `ip` as a host would show it: IPv6 in brackets when a port may follow. */
export function bracketed(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}
