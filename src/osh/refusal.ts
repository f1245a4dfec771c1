// The one way a call is refused before any plugin answers (osh.pl's main_exit): the message on
// stderr, then the envelope with command null. The dispatcher's checks, a connection request's
// options and the egress steps all refuse through it, so the three write the same thing.
import type { ResultCode } from '../kernel/result.js';
import type { Terminal } from './terminal.js';

export function writeRefusal(term: Terminal, code: ResultCode, msg: string): void {
  term.crit(msg, true);
  term.envelope({ command: null, error_code: code, error_message: msg, value: null });
}
