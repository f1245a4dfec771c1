// The option declarations the ACL plugins share (so their help, docs and parsing agree), and the
// steps they all take before touching a list: the target from the bastion-level --host, the
// user/port/protocol tuple, the TTL, the forced key or password.
import type { PluginContext } from '../osh/context.js';
import { isOk, R, type Result } from '../kernel/result.js';
import { checkFingerprint, checkPasswordHash, checkTtl, checkTuple, type AclTuple } from '../policy/aclEntry.js';
import type { ResolvedHost } from '../services/targetHost.js';

/** Which remote user/port/protocol a line is for (the user and port values are the bastion-level --user/--port). */
export const TUPLE_OPTIONS = {
  'user-any': { type: 'boolean', description: 'Any remote user (instead of the bastion-level --user USER, which may hold * and ? patterns)' },
  'port-any': { type: 'boolean', description: 'Any remote port (instead of the bastion-level --port PORT)' },
  protocol: {
    type: 'string',
    valueName: 'PROTO',
    description: 'A protocol line instead of an SSH user: scpupload, scpdownload, sftp or rsync (SSH access to the server must be allowed too)',
  },
  scpup: { type: 'boolean', description: 'Legacy spelling of --protocol scpupload' },
  scpdown: { type: 'boolean', description: 'Legacy spelling of --protocol scpdownload' },
  sftp: { type: 'boolean', description: 'Legacy spelling of --protocol sftp' },
} as const;

export const TTL_OPTION = {
  ttl: { type: 'string', valueName: 'SECONDS|DURATION', description: 'Remove the line automatically after this time (seconds, or a duration such as 1d12h)' },
} as const;

export const COMMENT_OPTION = {
  comment: { type: 'string', valueName: '\'"ANY TEXT"\'', description: 'A comment stored with the line (quote it twice under a shell)' },
} as const;

/** An empty value is no value (as The Bastion's `if ($forceKey)`), and the two can't go together. */
export const FORCE_OPTIONS = {
  'force-key': {
    type: 'string',
    emptyIsMissing: true,
    conflicts: { 'force-password': "Can't use --force-key and --force-password at the same time" },
    valueName: 'FINGERPRINT',
    description: 'Connect to this server only with the egress key of this fingerprint',
  },
  'force-password': { type: 'string', emptyIsMissing: true, valueName: 'HASH', description: 'Connect to this server only with the password of this hash' },
} as const;

export const TARGET_HELP = `The server is given with the bastion-level options: --host HOST|IP|SUBNET (a name is resolved
to an IP at once; a block in PREFIX/LEN notation), --user USER (or --user-any; * and ? patterns
are allowed) and --port PORT (or --port-any).`;

/** The tuple options as a handler receives them (TUPLE_OPTIONS parsed). */
export interface TupleFlags {
  readonly 'user-any': boolean;
  readonly 'port-any': boolean;
  readonly protocol: string | undefined;
  readonly scpup: boolean;
  readonly scpdown: boolean;
  readonly sftp: boolean;
}

/** The request's --host as dispatch resolved it; ERR_MISSING_PARAMETER (with `missingMsg`) when it wasn't given. */
function requestTarget(ctx: PluginContext, missingMsg: string): Result<ResolvedHost> {
  return ctx.target ? R('OK', { value: ctx.target }) : R('ERR_MISSING_PARAMETER', { msg: missingMsg });
}

/** The line a request names: its --host resolved and its user/port/protocol. */
export interface RequestedLine {
  readonly target: ResolvedHost;
  readonly tuple: AclTuple;
}

/** requestTarget then requestTuple: the first two steps of every plugin that adds or removes one line. */
export async function requestLine(ctx: PluginContext, o: TupleFlags, missingMsg: string): Promise<Result<RequestedLine>> {
  const target = requestTarget(ctx, missingMsg);
  if (!isOk(target)) return R(target.code, { msg: target.msg });
  const tuple = requestTuple(ctx, o);
  if (!isOk(tuple)) return R(tuple.code, { msg: tuple.msg });
  return R('OK', { value: { target: target.value, tuple: tuple.value } });
}

export function requestTuple(ctx: PluginContext, o: TupleFlags): Result<AclTuple> {
  return checkTuple({
    user: ctx.request.user,
    userAny: o['user-any'],
    port: ctx.request.port,
    portAny: o['port-any'],
    protocol: o.protocol,
    scpup: o.scpup,
    scpdown: o.scpdown,
    sftp: o.sftp,
  });
}

export interface Forced {
  readonly forceKey: string | null;
  readonly forcePassword: string | null;
}

/** --force-key / --force-password (FORCE_OPTIONS: never both), each well-formed. */
export function checkForced(o: { readonly 'force-key': string | undefined; readonly 'force-password': string | undefined }): Result<Forced> {
  let forceKey: string | null = null;
  let forcePassword: string | null = null;
  if (o['force-key']) {
    const k = checkFingerprint(o['force-key']);
    if (!isOk(k)) return R(k.code, { msg: k.msg });
    forceKey = k.value;
  }
  if (o['force-password']) {
    const p = checkPasswordHash(o['force-password']);
    if (!isOk(p)) return R(p.code, { msg: p.msg });
    forcePassword = p.value;
  }
  return R('OK', { value: { forceKey, forcePassword } });
}

export function parseTtlOption(ttl: string | undefined): Result<number | null> {
  return checkTtl(ttl);
}

/** The comment The Bastion puts on a line whose --host was not already the IP it resolved to. */
export function defaultComment(comment: string | undefined, target: ResolvedHost): string | null {
  if (comment) return comment;
  return target.host !== target.address.ip ? `hostname=${target.host}` : null;
}
