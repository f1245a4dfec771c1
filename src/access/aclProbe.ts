// The connection test The Bastion makes before it adds a server to a group or a personal list
// without --force (ssh_test_access_way in lib/perl/OVH/Bastion/allowdeny.inc): log in to the
// target with the egress keys that would be used, and refuse the change when that fails. A
// block can't be tested, nor a user pattern or protocol line: those pass with a note. Here the
// test is the egress SSH client (sshClient.ts: same socket handling, algorithms and key order),
// ended once authentication succeeds; it runs nothing on the target.
import type { Terminal } from '../osh/terminal.js';
import { isOk, R, type Result } from '../kernel/result.js';
import { effectiveUser, type AclTuple } from '../policy/aclEntry.js';
import { bracketed, type AclAddress } from '../policy/aclAddress.js';
import { machineDisplay } from './aclModify.js';
import { VERSION } from '../kernel/version.js';
import { openSshClient, type SshConnectFailure } from '../services/sshClient.js';

export interface ProbeKey {
  readonly fingerprint: string;
  /** OpenSSH-format private key, opened from the keyring just for this test. */
  readonly privateKey: string;
}

export interface ProbeRequest {
  readonly address: AclAddress;
  readonly port: number | null;
  /** The remote user; a pattern or "!protocol" is not tested. */
  readonly user: string;
  readonly keys: readonly ProbeKey[];
  readonly forceKey: string | null;
  readonly timeoutMs?: number;
}

/**
 * OK when the login worked; OK with a message (to print) when nothing could be tested;
 * KO_NO_MATCHING_KEY when --force-key names no key; ERR_CONNECTION_FAILED otherwise.
 */
export async function probeAccess(req: ProbeRequest): Promise<Result> {
  if (!req.address.single) return R('OK', { msg: "Can't test a connection to a subnet, assuming it's OK" });
  if (/[*?]|^!/.test(req.user)) return R('OK', { msg: "Didn't really test the connection, as the specified user is special" });
  const keys = req.forceKey ? req.keys.filter((k) => k.fingerprint === req.forceKey) : req.keys;
  if (keys.length === 0) {
    if (req.forceKey) return R('KO_NO_MATCHING_KEY', { msg: "Couldn't find any key with the fingerprint you specified" });
    return R('OK', { msg: "Couldn't find any SSH key to test the connection with, continuing without testing" });
  }
  const host = req.address.ip;
  const port = req.port ?? 22;
  const outcome = await tryLogin(host, port, req.user, keys, req.timeoutMs ?? 5000);
  if (outcome === 'ok') return R('OK');
  const hint =
    outcome === 'timeout' || outcome === 'refused'
      ? ' Hint: did you remotely allow this bastion to access the SSH port?'
      : outcome === 'denied'
        ? " Hint: did you add the proper public key to the remote's authorized_keys?"
        : '';
  return R('ERR_CONNECTION_FAILED', { msg: `Couldn't connect to ${req.user}@${bracketed(host)}:${port} (${outcome}).${hint}` });
}

type Outcome = 'ok' | 'denied' | 'refused' | 'timeout' | 'error';

/** The probe's words for the factory's failures (printed in its message, as before the factory). */
const OUTCOME_OF: Readonly<Record<SshConnectFailure, Outcome>> = {
  permission_denied: 'denied',
  connection_refused: 'refused',
  connection_timeout: 'timeout',
  connection_error: 'error',
  hostkey_refused: 'error',
};

async function tryLogin(ip: string, port: number, user: string, keys: readonly ProbeKey[], timeoutMs: number): Promise<Outcome> {
  const r = await openSshClient({
    ip,
    port,
    user,
    keys: keys.map((k) => ({ fingerprint: k.fingerprint, key: k.privateKey })),
    timeoutMs,
    ident: `Gatehouse_${VERSION}`,
    // As The Bastion's test (StrictHostKeyChecking=no): this only checks the keys are in place.
    verifyHostKey: () => true,
  });
  if (!r.ok) return OUTCOME_OF[r.why];
  // Logged in: that was the test. Nothing runs on the target.
  r.client.end();
  r.client.destroy();
  return 'ok';
}

export interface AddTest {
  /** --force: skip the test (with a warning). */
  readonly force: boolean;
  readonly address: AclAddress;
  readonly tuple: AclTuple;
  /** Who logs in when the line names no user: the caller, as ssh would. */
  readonly callerName: string;
  /** The keys to test with, opened only when a test runs. */
  readonly keys: () => readonly ProbeKey[];
  readonly forceKey: string | null;
}

/**
 * The step groupAddServer and selfAddPersonalAccess take before adding a line, with The
 * Bastion's messages: null to go on, or the failed test's result (after a hint about --force).
 */
export async function testBeforeAdding(out: Terminal, t: AddTest): Promise<Result | null> {
  if (t.force) {
    out.info("Forcing add as asked, we didn't test the SSH connection, maybe it won't work!");
    return null;
  }
  const user = effectiveUser(t.tuple) ?? t.callerName;
  out.info(`Testing connection to ${machineDisplay(t.address.ip, t.tuple.port ?? 22, user)}, please wait...`);
  const probe = await probeAccess({ address: t.address, port: t.tuple.port, user, keys: t.keys(), forceKey: t.forceKey });
  if (!isOk(probe)) {
    out.info("Note: if you still want to add this access even if it doesn't work, use --force");
    return probe;
  }
  if (probe.msg !== probe.code) out.info(probe.msg);
  return null;
}
