// Adding and removing an account's allowed-command rules (accountAddAllowedCommand,
// accountDelAllowedCommand; Gatehouse's own, The Bastion has no such thing): both take --account,
// --command and --group through the same checks, so a rule refused by one is refused by the other.
// What a pattern means is src/policy/commandAllowList.ts; it is stored in the one form
// formatPattern writes, so the same rule spelled two ways is one rule.
import { formatPattern, parsePattern } from '../policy/commandAllowList.js';
import type { PluginContext } from '../osh/context.js';
import { isOk, R, type Result } from '../kernel/result.js';
import type { AccountRow } from '../store/accounts.js';
import type { GroupRow } from '../store/groups.js';
import { accountOption, findAccount } from '../accounts/lookup.js';
import { findGroup } from './groupName.js';

/** The options both plugins declare. */
export const RULE_OPTIONS = {
  account: accountOption('The account whose allowed commands change'),
  command: {
    type: 'string',
    required: true,
    emptyIsMissing: true,
    missingMessage: "Missing mandatory parameter 'command'",
    valueName: `'"PATTERN"'`,
    description: 'The pattern, one word for the bastion: quote it twice from a shell, as clush --command',
  },
  group: {
    type: 'string',
    emptyIsMissing: true,
    valueName: 'GROUP',
    description: 'The rule applies only to connections granted through this group (as a member or a guest)',
  },
} as const;

/** What the plugins' --help says about patterns. */
export const PATTERN_HELP = `A command-restricted account (one with at least one rule) may only run, on the servers it can
reach, a command that a rule allows: an interactive shell is refused, and so is a command that
isn't plain words (shell metacharacters ; | & < > ( ) { }, $ and \` expansions, \\ escapes, the
globs * ? [ ], ~, #, !, control characters, a leading NAME=value), whatever the rules say.
Refusals answer KO_COMMAND_NOT_ALLOWED with exit 106, and the server is not contacted (a newline
or other control character is refused earlier, in any request: KO_GETOPTS_FAILED, exit 111).

A pattern is read like a command, word by word ('…' and "…" quote as in a shell), and:
  *    matches exactly one word, whatever it holds (options included)
  **   as the last word only, matches any further words (zero or more)
every other word matches itself exactly; a * inside a word is refused (quote it for a literal *).
The command sent to the server is re-quoted from the matched words, so its shell sees exactly
those words. Patterns are stored in one form (single blanks, quotes only where needed).

From a shell, quote the pattern twice, so that it reaches the bastion as one word:
  --command "'systemctl status *'"     --command '"journalctl -u nginx **"'`;

export interface RuleChange {
  readonly target: AccountRow;
  /** The pattern as stored (formatPattern). */
  readonly pattern: string;
  readonly group: GroupRow | null;
}

/**
 * The checks before a rule is added or removed: the account exists, the caller isn't changing its
 * own rules (unless an admin: a restricted robot granted these plugins could otherwise lift its
 * own restriction), the pattern reads, and the group, if one is named, exists.
 */
export function checkRuleChange(
  ctx: PluginContext,
  opts: { readonly account: string; readonly command: string; readonly group: string | undefined },
  verb: 'add' | 'remove',
): Result<RuleChange> {
  const found = findAccount(ctx.store, opts.account);
  if (!isOk(found)) return R(found.code, { msg: found.msg });
  const target = found.value;
  if (target.id === ctx.caller.account.id && !ctx.caller.roles.isAdmin) {
    return R('ERR_SECURITY_VIOLATION', { msg: `You can't ${verb} allowed commands of your own account, for security reasons: ask a bastion admin` });
  }
  const parsed = parsePattern(opts.command);
  if (!parsed.ok) return R('ERR_INVALID_PARAMETER', { msg: `Invalid command pattern (${parsed.msg})` });
  let group: GroupRow | null = null;
  if (opts.group !== undefined) {
    const g = findGroup(ctx.store, opts.group);
    if (!isOk(g)) return R(g.code, { msg: g.msg });
    group = g.value;
  }
  return R('OK', { value: { target, pattern: formatPattern(parsed.value), group } });
}

/** How a rule is named in messages. */
export function describeRule(c: RuleChange): string {
  return `'${c.pattern}'${c.group ? ` on the servers of group ${c.group.name}` : ''}`;
}

/** The value both plugins answer with: the rule, and whether the account is (still) command-restricted. */
export function ruleValue(ctx: PluginContext, c: RuleChange): { account: string; pattern: string; group: string | null; restricted: boolean } {
  const restricted = ctx.store.allowedCommands.forAccount(c.target.id).length > 0;
  return { account: c.target.name, pattern: c.pattern, group: c.group?.name ?? null, restricted };
}
