// Environment variables a client may set on a session (env requests: OpenSSH's SetEnv/SendEnv).
// The Bastion's sshd accepts `AcceptEnv LANG LC_*`; of those, LC_BASTION and LC_BASTION_DETAILS
// are the bastion's own words to the target (osh.pl sets them for the egress connection, and
// trusts them only from a realm account, which Gatehouse does not have), so a client never sets
// them. What is accepted is bounded in count and size, and printable: it reaches the target's
// environment and the choice of UTF-8 output, and nothing else (not audit, not recordings).
import type { BastionConfig } from '../config/schema.js';

export type EnvRefusal = 'name-not-accepted' | 'reserved-name' | 'too-many' | 'value-too-long' | 'not-printable';

const NAME_MAX = 64;
const ACCEPTED_NAME = /^(LANG|LC_[A-Za-z0-9_]+)$/;
const RESERVED_NAME = /^LC_BASTION/i;
// No control, format (bidirectional overrides…), unassigned or private-use characters.
const PRINTABLE = /^[^\p{C}]*$/u;

/** Whether `name=value` may join `env` (which already holds what the session accepted); adds it if so. */
export function acceptClientEnv(
  env: Map<string, string>,
  name: string,
  value: string,
  limits: Pick<BastionConfig, 'maxClientEnvVariables' | 'maxClientEnvValueBytes'>,
): { ok: true } | { ok: false; why: EnvRefusal } {
  if (name.length > NAME_MAX || !ACCEPTED_NAME.test(name)) return { ok: false, why: 'name-not-accepted' };
  if (RESERVED_NAME.test(name)) return { ok: false, why: 'reserved-name' };
  if (Buffer.byteLength(value) > limits.maxClientEnvValueBytes) return { ok: false, why: 'value-too-long' };
  if (!PRINTABLE.test(value)) return { ok: false, why: 'not-printable' };
  // Setting a variable again replaces it and takes no new place.
  if (!env.has(name) && env.size >= limits.maxClientEnvVariables) return { ok: false, why: 'too-many' };
  env.set(name, value);
  return { ok: true };
}
