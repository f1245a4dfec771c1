// Sub-calls: the `--osh` calls a plugin makes for its caller (ctx.osh, used by batch), each run
// through runCall again as a call of its own, as The Bastion's batch runs each line through osh.pl.
// runCall is handed in rather than imported: the dispatcher builds the sub-calls of the calls it
// runs, and an import back would be a cycle.
import { Readable } from 'node:stream';
import { EXIT } from '../kernel/exitCodes.js';
import type { SubCalls } from '../osh/context.js';
import { frameEnvelope, type Envelope } from '../osh/envelope.js';
import type { Terminal } from '../osh/terminal.js';
import type { CallInput, CallOutcome, Services } from './callTypes.js';

type RunCall = (svc: Services, input: CallInput) => Promise<CallOutcome>;

/** The call making sub-calls, as its sub-calls' audit and log lines name it. */
export interface ParentCall {
  readonly callId: string;
  readonly plugin: string;
}

const NESTED_MSG = 'A command run from a batch can not run commands of its own';

/** Within a sub-call: nothing runs, so a batch line can never start calls of its own. */
const NO_SUB_CALLS: SubCalls = {
  available: false,
  run: async () => ({ envelope: { command: null, error_code: 'KO_NESTED_CALL', error_message: NESTED_MSG, value: null }, exit: EXIT.PLUGIN_ERROR }),
};

/**
 * The sub-calls of one call: same account, peer, connection (its id and the bastion's address of
 * it, so the sessions rows of a batch line's clush say where the client came in), environment and
 * client-gone signal; no pty (The Bastion's sub-calls run on pipes) and no stdin (their reads see
 * end of input, as The Bastion closes its helper's stdin: batch owns the client's). Their text
 * goes to the caller's terminal as it comes, with its line endings and backpressure; their
 * envelope is taken back.
 */
export function subCalls(runCall: RunCall, svc: Services, caller: CallInput, term: Terminal, parent: ParentCall): SubCalls {
  if (caller.parent) return NO_SUB_CALLS;
  return {
    available: true,
    async run(line) {
      const answer: { envelope?: Envelope } = {};
      const outcome = await runCall(svc, {
        account: caller.account,
        peer: caller.peer,
        local: caller.local,
        connId: caller.connId,
        command: `--osh ${line}`,
        kind: 'exec',
        pty: false,
        env: caller.env,
        stdin: Readable.from([]),
        sink: {
          stdout: (text) => term.write(text),
          stderr: (text) => term.writeErr(text),
          drain: () => term.drain(),
          answer: (env) => {
            answer.envelope = decoded(env);
          },
        },
        gone: caller.gone,
        log: caller.log.child({ parentCall: parent.callId, via: parent.plugin }),
        parent,
      });
      // Every path of runCall answers; this is for a fault that left it without one.
      const envelope = answer.envelope ?? { command: outcome.plugin, error_code: outcome.code, error_message: outcome.code, value: null };
      return { envelope, exit: outcome.exit };
    },
  };
}

/**
 * The envelope as a script reading the sub-call's frame would decode it (The Bastion's batch
 * decodes its helper's frame): plain JSON data, markers defused, and ERR_INTERNAL for a value that
 * can't be encoded, exactly as frameEnvelope writes it.
 */
function decoded(env: Envelope): Envelope {
  const line = frameEnvelope(env, 'greppable');
  return JSON.parse(line.slice(line.indexOf('=') + 1)) as Envelope;
}
