// What an access-list line is made of, checked as The Bastion's plugins check it before they
// touch a list: the remote user (--user / --user-any), the port (--port / --port-any), the
// protocol (--protocol, or the legacy --scpup / --scpdown / --sftp), the key or password a line
// forces, its TTL and comment (OVH::Bastion::Plugin::ACL::check, access_modify and is_valid_*
// in lib/perl/OVH/Bastion*). --host, --user and --port are bastion-level options: plugins read
// them from ctx.request.
import { wildcardsMatcher } from './listFilter.js';
import { R, type Result } from '../kernel/result.js';
import type { AclProtocol } from './records.js';
import { parseTtl } from '../kernel/duration.js';

const ACL_PROTOCOLS: readonly AclProtocol[] = ['scpupload', 'scpdownload', 'sftp', 'rsync'];

/** The remote side of a line: null user or port means "any". */
export interface AclTuple {
  readonly user: string | null;
  readonly port: number | null;
  readonly protocol: AclProtocol | null;
}

export interface TupleOptions {
  readonly user: string | undefined;
  readonly userAny: boolean;
  readonly port: string | undefined;
  readonly portAny: boolean;
  readonly protocol?: string | undefined;
  readonly scpup?: boolean;
  readonly scpdown?: boolean;
  readonly sftp?: boolean;
}

/** OVH::Bastion::Plugin::ACL::check: the user/port/protocol of a line, same order of checks and codes. */
export function checkTuple(o: TupleOptions): Result<AclTuple> {
  if (o.user && o.userAny) {
    return R('ERR_INCOMPATIBLE_PARAMETERS', { msg: 'Both --user and --user-any were given: they contradict each other, use only one' });
  }
  let user: string | undefined = o.userAny ? '*' : o.user;
  let protocol = o.protocol;
  if (protocol) {
    if (o.scpup || o.scpdown || o.sftp) {
      return R('ERR_INCOMPATIBLE_PARAMETERS', { msg: "--protocol can't be used with --scpup, --scpdown or --sftp" });
    }
    if (!(ACL_PROTOCOLS as readonly string[]).includes(protocol)) {
      return R('ERR_INVALID_PARAMETER', {
        msg: `Unsupported protocol '${protocol}': use scpupload, scpdownload, sftp or rsync`,
      });
    }
  }
  if (o.scpup && o.scpdown) {
    return R('ERR_INCOMPATIBLE_PARAMETERS', { msg: 'Give --scpup and --scpdown in two separate commands to allow both' });
  }
  if (o.sftp && (o.scpup || o.scpdown)) {
    return R('ERR_INCOMPATIBLE_PARAMETERS', { msg: 'Only one of --sftp, --scpup and --scpdown may be given at a time' });
  }
  if (!protocol) protocol = o.sftp ? 'sftp' : o.scpup ? 'scpupload' : o.scpdown ? 'scpdownload' : undefined;
  if (protocol && user) {
    return R('ERR_INCOMPATIBLE_PARAMETERS', {
      msg: `To allow the ${protocol} protocol, allow SSH to the server first (with the --user you need), then add the protocol without --user`,
    });
  }
  if (protocol) user = `!${protocol}`;
  if (!user) {
    return R('ERR_MISSING_PARAMETER', { msg: 'No remote user given: use --user USER, or --user-any to allow any remote user' });
  }
  if (o.port && o.portAny) {
    return R('ERR_INCOMPATIBLE_PARAMETERS', { msg: 'Both --port and --port-any were given: they contradict each other, use only one' });
  }
  const portText = o.portAny ? '*' : o.port;
  if (portText === undefined) {
    return R('ERR_MISSING_PARAMETER', { msg: 'No port given: use --port PORT, or --port-any to allow any port' });
  }
  let port: number | null = null;
  if (portText !== '*') {
    const p = checkPort(portText);
    if (!p.value) return R('ERR_INVALID_PARAMETER', { msg: p.msg });
    port = p.value;
  }
  let remoteUser: string | null = null;
  if (!protocol && user !== '*') {
    if (!isValidRemoteUser(user, true)) return R('ERR_INVALID_PARAMETER', { msg: `The remote user '${user}' is not valid` });
    remoteUser = user;
  }
  return R('OK', { value: { user: remoteUser, port, protocol: (protocol as AclProtocol | undefined) ?? null } });
}

/** is_valid_remote_user: what a remote login name may look like (with * and ? when patterns are allowed). */
export function isValidRemoteUser(user: string, allowWildcards: boolean): boolean {
  return (allowWildcards ? /^[@!:?*a-zA-Z0-9._-]{1,128}$/ : /^[@!:a-zA-Z0-9._-]{1,128}$/).test(user);
}

/** is_valid_port: 1..65535, digits only. */
export function checkPort(text: string): Result<number> {
  if (/^\d{1,5}$/.test(text) && Number(text) > 0 && Number(text) <= 65535) return R('OK', { value: Number(text) });
  return R('ERR_INVALID_PARAMETER', { msg: `Invalid port '${text}': a port is a number from 1 to 65535` });
}

/** The user a line shows and matches with: a protocol line is the magic user "!proto". */
export function effectiveUser(t: { readonly user: string | null; readonly protocol: AclProtocol | null }): string | null {
  return t.protocol ? `!${t.protocol}` : t.user;
}

/** is_valid_fingerprint: an MD5 (aa:bb:…, lowercased) or SHA256:base64 fingerprint. */
export function checkFingerprint(text: string): Result<string> {
  if (/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/i.test(text)) return R('OK', { value: text.toLowerCase() });
  if (/^SHA256:[-/a-z0-9+=]{43}$/i.test(text)) return R('OK', { value: text });
  return R('ERR_INVALID_PARAMETER', {
    msg: 'Invalid fingerprint: expected SHA256:base64 (as groupInfo and selfListEgressKeys show) or an MD5 aa:bb:…:ff fingerprint',
  });
}

/** is_valid_hash: an md5crypt, sha256crypt or sha512crypt hash. */
export function checkPasswordHash(text: string): Result<string> {
  if (/^\$[156]\$[a-zA-Z0-9]+\$[a-zA-Z0-9./]+$/.test(text)) return R('OK', { value: text });
  return R('ERR_INVALID_PARAMETER', { msg: 'Invalid password hash: expected an md5crypt ($1$…), sha256crypt ($5$…) or sha512crypt ($6$…) hash' });
}

/** --ttl: seconds or a duration such as 1d12h (KO_INVALID_PARAMETER otherwise, as is_valid_ttl). */
export function checkTtl(text: string | undefined): Result<number | null> {
  if (text === undefined) return R('OK', { value: null });
  const t = parseTtl(text);
  if (t.value === null) return R(t.code, { msg: t.msg });
  return R('OK', { value: t.value });
}

/**
 * The comment as stored: The Bastion writes it inside `# COMMENT=<…>` and replaces the characters
 * that would break that syntax; the same characters are replaced here so listings agree.
 */
export function storedComment(comment: string | null): string | null {
  if (!comment) return null;
  return comment.replace(/[#<>\\"']/g, '_').replace(/[\r\n]/g, ' ');
}

/** --include / --exclude patterns against one field (the rule itself: wildcardsMatcher). */
export function wildcardMatcher(patterns: readonly string[]): ((field: string) => boolean) | null {
  return wildcardsMatcher(patterns);
}
