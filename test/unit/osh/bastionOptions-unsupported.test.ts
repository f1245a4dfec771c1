// The options osh.pl knows and Gatehouse doesn't implement: recognised (so they never reach a
// plugin or the remote command), listed, and turned into one refusal naming the option.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitBastionOptions, unsupportedOptionRefusal, UNSUPPORTED_OPTIONS } from '../../../src/osh/bastionOptions.js';

test('every unsupported option, long or short, is recognised and refused', () => {
  for (const u of UNSUPPORTED_OPTIONS) {
    const takesValue = ['J', 'bind', 'password', 'mfa-token', 'fallback-password-delay'].includes(u.name);
    const spellings = [u.name.length === 1 ? `-${u.name}` : `--${u.name}`, ...(u.short ? [`-${u.short}`] : [])];
    for (const w of spellings) {
      const r = splitBastionOptions([w, ...(takesValue ? ['v'] : []), 'host.example']);
      assert.deepEqual(r.options.unsupported, [u.name], w);
      assert.deepEqual(r.rest, ['host.example'], w);
      const refusal = unsupportedOptionRefusal(r.options, 'bob', false);
      assert.ok(refusal, w);
    }
  }
});

test('the code and exit status for each case', () => {
  const refuse = (words: string[], interactiveAllowed = false) => unsupportedOptionRefusal(splitBastionOptions(words).options, 'bob', interactiveAllowed);
  assert.deepEqual([refuse(['-e'])?.code, refuse(['-e'])?.exit], ['KO_TELNET_DENIED', 107]);
  assert.deepEqual([refuse(['--kbd-interactive'])?.code, refuse(['--kbd-interactive'])?.exit], ['KO_KBD_INTERACTIVE_DENIED', 115]);
  assert.deepEqual([refuse(['-i'])?.code, refuse(['-i'])?.exit], ['KO_INTERACTIVE_DISABLED', 114]);
  assert.deepEqual([refuse(['-i'], true)?.code, refuse(['-i'], true)?.exit], ['ERR_UNSUPPORTED_OPTION', 111]);
  const j = refuse(['-J', 'jump']);
  assert.equal(j?.code, 'ERR_UNSUPPORTED_OPTION');
  assert.equal(j?.exit, 111);
  assert.match(j?.msg ?? '', /The option -J is not supported/);
  assert.match(refuse(['-x'])?.msg ?? '', /-x\/--forward-agent/);
});

test('supported options and plugin words are not refused', () => {
  for (const words of [[], ['--osh', 'info'], ['--never-escape', 'host'], ['-t', '-p', '22', '--wait', '--timeout', '5', 'h'], ['--osh', 'accountCreate', '--debug-plugin']]) {
    const o = splitBastionOptions(words).options;
    assert.deepEqual(o.unsupported, [], words.join(' '));
    assert.equal(unsupportedOptionRefusal(o, 'bob', false), null);
  }
});
