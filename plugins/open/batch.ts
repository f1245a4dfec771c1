import { definePlugin } from '../../src/osh/define.js';
import { InputRefused } from '../../src/osh/stdin.js';
import { R } from '../../src/kernel/result.js';

/** What batch answers for one line: the line as run, and the sub-call's envelope without its command (The Bastion's decoded helper result). */
interface BatchItem {
  readonly command: string;
  readonly result: { readonly error_code: string; readonly error_message: string; readonly value: unknown };
}

export default definePlugin({
  name: 'batch',
  category: 'open',
  summary: 'Run a batch of osh commands fed through stdin',
  header: 'batch',
  options: {},
  help: `Reads osh commands on stdin, one per line, written as they would follow --osh, and runs them
one after the other, each as a call of its own with your rights (as if you had sent
--osh LINE --json). The batch ends at the end of input (^D), on a line 'exit' or 'quit' (in any
case), or when no line arrives within stdinTimeoutSeconds. Any --json option in a line is dropped:
each command's answer is collected instead, and batch answers with the list of them, in order:
  [{"command": LINE, "result": {"error_code": …, "error_message": …, "value": …}}, …]
A command that fails does not stop the batch. Blank lines are skipped. Commands run from a batch
read nothing on stdin, and can't be a batch themselves. At most batchMaxCommands commands run.

Three commands in one call:
  printf '%s\\n' info selfListIngressKeys selfListEgressKeys | ssh ACCOUNT@bastion -- --osh batch --json
Three members added to a group:
  for a in user1 user2 user3; do echo "groupAddMember --account $a --group grp4"; done | ssh ACCOUNT@bastion -- --osh batch`,
  examples: ['< commands.txt', '--json < commands.txt'],
  differences: [
    "The commands run by a batch print their text but not their own JSON frame: the output has exactly one envelope, the batch's (The Bastion prints each command's frame too, so a parser taking the first frame reads the first command's answer).",
    'Blank lines are skipped (The Bastion runs them, and lists a failed entry for each).',
    'batch run from a batch line answers `KO_NESTED_CALL` (in The Bastion it reads no input and answers an empty list).',
    'At most `batchMaxCommands` commands run: past it batch answers `KO_TOO_MANY_COMMANDS` with the results so far. A line longer than `stdinMaxLineBytes` ends the batch with `KO_INPUT_TOO_LONG` (results so far in the value), and no line within `stdinTimeoutSeconds` ends it as end of input does.',
  ],
  async handler(ctx) {
    const { out } = ctx;
    if (!ctx.osh.available) return R('KO_NESTED_CALL', { msg: 'A batch can not be run from a batch' });
    out.info('Send osh commands on stdin, one per line: they run one after the other.');
    out.info("End with 'exit', 'quit' or ^D.");
    out.info('--- waiting for input');
    const done: BatchItem[] = [];
    while (!ctx.signal.aborted) {
      let line: string | null;
      try {
        line = await ctx.stdin.readLine();
      } catch (err) {
        // The commands already run stay listed: the batch stops at the line it could not read,
        // with the dispatcher's log line for a refused read.
        if (err instanceof InputRefused) {
          ctx.log.warn({ what: err.what, limit: err.limit }, 'stdin refused: longer than the limit');
          return R('KO_INPUT_TOO_LONG', { msg: err.message, value: done });
        }
        throw err;
      }
      if (line === null) break;
      const word = line.toLowerCase();
      if (word === 'exit' || word === 'quit') break;
      // batch takes each answer as a value: a --json* option in the line (after a blank, as The
      // Bastion strips it) would change nothing, and is dropped so the line shown is the one run.
      const command = line.replace(/ --json[a-z-]*/g, '');
      if (command.trim() === '') continue;
      if (done.length >= ctx.config.batchMaxCommands) {
        const limit = ctx.config.batchMaxCommands;
        ctx.log.warn({ limit }, 'batch stopped: more commands than batchMaxCommands');
        return R('KO_TOO_MANY_COMMANDS', { msg: `More than batchMaxCommands (${limit}) commands were sent: the rest of the input was not run`, value: done });
      }
      out.info(`--- launching command: ${command}`);
      const { envelope } = await ctx.osh.run(`${command} --json`);
      if (!envelope.error_code.startsWith('OK')) out.warn('--- command failed!');
      done.push({ command, result: { error_code: envelope.error_code, error_message: envelope.error_message, value: envelope.value } });
    }
    return R('OK', { value: done });
  },
});
