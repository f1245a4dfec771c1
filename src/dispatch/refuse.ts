// The answer to a call refused before any plugin runs, shared by the dispatcher and the
// connection-request checks.
import type { ResultCode } from '../kernel/result.js';
import type { CallOutcome } from './callTypes.js';
import type { Terminal } from '../osh/terminal.js';
import { writeRefusal } from '../osh/refusal.js';

/** A refusal before any plugin runs (osh.pl's main_exit): message on stderr, envelope on stdout. */
export function refuse(term: Terminal, code: ResultCode, exit: number, msg: string): CallOutcome {
  writeRefusal(term, code, msg);
  return { exit, code, plugin: null };
}
