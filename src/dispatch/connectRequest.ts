// A call with neither --osh nor --help is a connection request, `[user@]host [-- command]`: its
// target is checked here with osh.pl's refusals and exit statuses before egress sees it.
import { checkPort, isValidRemoteUser } from '../policy/aclEntry.js';
import { HOST_CHARS } from '../services/targetHost.js';
import type { BastionConfig } from '../config/schema.js';
import { EXIT } from '../kernel/exitCodes.js';
import type { splitBastionOptions } from '../osh/bastionOptions.js';
import type { CallInput, CallOutcome } from './callTypes.js';
import { refuse } from './refuse.js';
import type { Terminal } from '../osh/terminal.js';
import { bastionUsage } from '../osh/usage.js';

/** The target of a connection request once it has passed the checks. */
export interface ConnectTarget {
  readonly user: string | undefined;
  readonly host: string;
  readonly rest: readonly string[];
}

/** `[user@]host [-- command]`: validated as osh.pl does, then handed to the egress path. */
export function connectRequest(
  term: Terminal,
  input: CallInput,
  config: BastionConfig,
  req: ReturnType<typeof splitBastionOptions>,
  connect: (target: ConnectTarget) => Promise<CallOutcome>,
): CallOutcome | Promise<CallOutcome> {
  const o = req.options;
  let host = o.host;
  let user = o.user;
  const rest = [...req.rest];
  if (host === undefined) {
    const first = rest.shift();
    if (first === undefined) {
      term.write(bastionUsage(input.account.name, config.bastionName) + '\n');
      return refuse(term, 'KO_NO_HOST', EXIT.NO_HOST, 'No osh command specified and no host to connect to');
    }
    host = first;
    const at = /^([^@\s]+)@([^@\s]+)$/.exec(first);
    if (at) {
      user = at[1];
      host = at[2] as string;
    }
  }
  if (host.startsWith('--')) {
    return refuse(term, 'KO_GETOPTS_FAILED', EXIT.GETOPTS_FAILED, `Couldn't parse option '${host}'`);
  }
  if (o.port !== undefined && checkPort(o.port).value === null) {
    return refuse(term, 'KO_INVALID_PORT', EXIT.INVALID_PORT, `Invalid port specified (${o.port})`);
  }
  if (user !== undefined && !isValidRemoteUser(user, false)) {
    return refuse(term, 'KO_INVALID_REMOTE_USER', EXIT.INVALID_REMOTE_USER, `Remote user name '${user}' seems invalid`);
  }
  if (!HOST_CHARS.test(host)) {
    return refuse(term, 'KO_INVALID_REMOTE_HOST', EXIT.INVALID_REMOTE_HOST, `Remote host name '${host}' seems invalid`);
  }
  if (host.includes('/')) {
    return refuse(term, 'KO_INVALID_REMOTE_HOST', EXIT.INVALID_REMOTE_HOST, `Remote host '${host}' looks like a subnet, can't connect to that`);
  }
  return connect({ user, host, rest });
}
