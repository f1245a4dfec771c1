// What the user reads when the target can't be reached or refuses us, with the hints The Bastion's
// connect.pl gives for the same failures (in our words), and the result code for the envelope:
// 'KO_' + the failure's name, as osh.pl's main_exit builds codes.
import type { ResultCode } from '../kernel/result.js';
import type { SshConnectFailure } from '../services/sshClient.js';
import type { HostKeyVerdict } from './hostKeys.js';
import { machineDisplay } from './resolve.js';

export interface FailureFacts {
  readonly ip: string;
  readonly port: number;
  readonly detail: string;
  readonly verdict: HostKeyVerdict | null;
  readonly bastionName: string;
  readonly triedKeys: number;
}

export interface FailureText {
  readonly code: ResultCode;
  /** The error line (and the envelope's error_message). */
  readonly msg: string;
  /** What goes into the recording, so a replay shows why the session ended. */
  readonly recorded: string;
}

export function failureText(why: SshConnectFailure | 'hostkey_changed', f: FailureFacts): FailureText {
  const where = machineDisplay(f.ip, f.port);
  const forget = `${f.bastionName} --osh selfForgetHostKey --host ${f.ip} --port ${f.port}`;
  let code: ResultCode;
  let msg: string;
  switch (why) {
    case 'connection_refused':
      code = 'KO_CONNECTION_REFUSED';
      msg = `Can't connect to ${where}: connection refused (is an SSH server listening there?)`;
      break;
    case 'connection_timeout':
      code = 'KO_CONNECTION_TIMEOUT';
      msg = `Can't connect to ${where}: ${f.detail}`;
      break;
    case 'connection_error':
      code = 'KO_CONNECTION_ERROR';
      msg = `Can't connect to ${where}: ${f.detail}`;
      break;
    case 'permission_denied':
      code = 'KO_PERMISSION_DENIED';
      msg =
        f.triedKeys === 0
          ? `Permission denied (publickey): none of your accesses to ${where} comes with an egress key that could be used.`
          : [
              `Permission denied (publickey): ${where} refused every key we tried (listed above). Check, in this order:`,
              `  1) the authorized_keys of the remote account on ${f.ip}: is the key there (personal key or group key)?`,
              '  2) the access on the bastion names the key you deployed (selfAddPersonalAccess, groupAddServer, --force-key)?',
              '  3) the from="" part of that authorized_keys line lists every address of this bastion (see selfListEgressKeys or groupInfo)?',
            ].join('\n');
      break;
    case 'hostkey_changed': {
      code = 'KO_HOSTKEY_CHANGED';
      const v = f.verdict?.kind === 'changed' ? f.verdict : null;
      msg = [
        `The host key of ${where} has changed: it now presents ${v?.type ?? 'a key'} ${v?.fingerprint ?? ''}, and ${v ? v.expected.join(', ') : 'another key'} is on record.`,
        'Someone could be intercepting the connection, or the server was reinstalled: the connection was blocked.',
        `If you know the change is legitimate, forget the old key with \`${forget}' and connect again.`,
      ].join('\n');
      break;
    }
    case 'hostkey_refused':
      code = 'KO_HOSTKEY_UNKNOWN';
      msg = [
        `The host key of ${where} (${f.verdict?.fingerprint ?? 'unknown'}) is not on record and your StrictHostKeyChecking policy is 'yes':`,
        'the connection was blocked. Ask an administrator to change the policy (accountModify --egress-strict-host-key-checking).',
      ].join('\n');
      break;
  }
  return { code, msg, recorded: `${msg.replace(/\n/g, '\r\n')}\r\n` };
}
