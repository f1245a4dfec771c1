// Command allow-lists on the egress path. An account with at least one allowed-command rule is
// command-restricted: once the access decision has said which grants allow the connection, and
// before any egress key is opened or the target dialled, its command must match a rule that
// applies through one of those grants (src/policy/commandAllowList.ts says how a command is
// read and matched). A shell, a command that isn't plain words, or one no rule allows is refused
// with KO_COMMAND_NOT_ALLOWED, exit 106 (The Bastion's "restricted command" status), and leaves a
// sessions row like the other refusals. Every connection request runs this step (runEgress), so
// whatever reaches a target through that path is checked: one target or many.
import { checkCommand } from '../policy/commandAllowList.js';
import { EXIT } from '../kernel/exitCodes.js';
import { recordRefused, refuse } from './sessionSteps.js';
import type { EgressCall, EgressOutcome, Granted } from './sessionTypes.js';

/**
 * The granted request as it may go on: unchanged for an account without rules; for a restricted
 * one, only the grants a matching rule applies to, and the command re-quoted from its words. A
 * refusal answers the client and returns the outcome.
 */
export function restrictCommand(call: EgressCall, granted: Granted): Granted | EgressOutcome {
  const { env } = call;
  const rules = env.store.allowedCommands.forAccount(env.account.id);
  if (rules.length === 0) return granted;
  const verdict = checkCommand(rules, call.req.command, granted.grants);
  if (!verdict.ok) {
    recordRefused(call, granted.ip, EXIT.RESTRICTED_COMMAND, 'command_not_allowed');
    env.log.info({ session: env.callId, target: granted.target, why: verdict.reason }, 'egress command refused');
    return refuse(env.term, 'KO_COMMAND_NOT_ALLOWED', EXIT.RESTRICTED_COMMAND, `Command not allowed for ${env.account.name} on ${granted.target}: ${verdict.msg}`);
  }
  return { ...granted, grants: verdict.grants, command: verdict.command };
}
