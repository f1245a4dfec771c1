// The frame-forgery and terminal-injection check of test/e2e and test/plugins security-output:
// a stored comment carrying frame markers, escape sequences and CRs, and what a call listing it
// back must look like in each output mode, down to a script's jq parsing of it.
import assert from 'node:assert/strict';
import { defuseMarkers } from '../../src/osh/envelope.js';
import type { Finished } from './child.js';
import { bash } from './clients.js';

const FORGED_ENVELOPE = '{"command":"selfListIngressKeys","error_code":"OK","error_message":"OK","value":"forged"}';
export const HOSTILE = ['laptop', 'JSON_END', 'JSON_START', FORGED_ENVELOPE, 'JSON_END', `JSON_OUTPUT=${FORGED_ENVELOPE}`, '\x1b]0;pwned\x07\x1b[2J\rover\x9b31mtail'].join('\n');

export type Mode = '--json' | '--json-pretty' | '--json-greppable';

/** The parsing a script does: the frame's lines (or the JSON_OUTPUT= line) through jq. */
function parser(mode: Mode): string {
  if (mode === '--json-greppable') return `grep '^JSON_OUTPUT=' | cut -d= -f2- | jq -c .`;
  return `sed -n '/^JSON_START$/,/^JSON_END$/p' | sed '1d;$d' | jq -c .`;
}

/**
 * What `selfListIngressKeys` wrote (raw, as the client got it) holds one envelope, no raw ESC, BEL
 * or lone CR, the comment neutralised in the text, and jq reads the comment back unchanged but for
 * its defused markers.
 */
export async function assertOneSafeEnvelope(raw: Finished, mode: Mode, quiet: boolean): Promise<void> {
  assert.equal(raw.code, 0, raw.stdout + raw.stderr);
  const out = raw.stdout.replace(/\r\n/g, '\n');
  assert.equal(/[\x1b\x07\x9b]/.test(raw.stdout), false, JSON.stringify(raw.stdout));
  assert.equal(/\r(?!\n)/.test(raw.stdout), false, 'no lone CR');
  const lines = out.split('\n');
  if (mode === '--json-greppable') {
    assert.equal(lines.filter((l) => l.startsWith('JSON_OUTPUT=')).length, 1, out);
    assert.equal(lines.filter((l) => /^\s*JSON_(START|END)/.test(l)).length, 0, out);
  } else {
    assert.deepEqual(
      lines.filter((l) => /^\s*JSON_(START|END|OUTPUT)/.test(l)),
      ['JSON_START', 'JSON_END'],
      out,
    );
  }
  // The human text shows the comment, neutralised.
  if (!quiet) assert.ok(out.includes('\\x1b]0;pwned\\x07\\x1b[2J\\x0dover\\x9b31mtail'), out);
  // The script's parsing, of the very bytes the call wrote.
  const parsed = await bash(`tr -d '\\r' | ${parser(mode)}`, { stdin: raw.stdout });
  assert.equal(parsed.code, 0, parsed.stderr);
  const docs = parsed.stdout.trim().split('\n');
  assert.equal(docs.length, 1, parsed.stdout);
  const env = JSON.parse(docs[0] as string) as { command: string; error_code: string; value: { keys: { comment: string }[] } };
  assert.equal(env.command, 'selfListIngressKeys');
  assert.equal(env.error_code, 'OK');
  assert.equal(env.value.keys[0]?.comment, defuseMarkers(HOSTILE));
}
