// The authorized_keys options field, read as OpenSSH's sshauthopt_parse reads it, and judged:
// honoured (from=, no-… of what Gatehouse never does) or refused, never dropped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { honourKeyOptions, parseAuthorizedOptions, splitOptionsField, type AuthorizedOption, type OptionsError } from '../../../src/keys/authorizedOptions.js';
import { generateCheckedKeyPair } from '../../../src/services/keygen.js';
import { parsePublicKeyLine } from '../../../src/keys/publicKey.js';

function options(field: string): readonly AuthorizedOption[] {
  const r = parseAuthorizedOptions(field);
  assert.ok(!('kind' in r), `${field}: ${'kind' in r ? r.msg : ''}`);
  return r;
}

function failure(field: string): OptionsError {
  const r = parseAuthorizedOptions(field);
  assert.ok('kind' in r, `${field} should not parse`);
  return r;
}

test('names are case-insensitive, flags take no-, values are dequoted, in any position', () => {
  assert.deepEqual(options('no-pty,FROM="127.0.0.9"'), [
    { name: 'pty', negated: true, value: null },
    { name: 'from', negated: false, value: '127.0.0.9' },
  ]);
  assert.deepEqual(options('No-Port-Forwarding,From="10.0.0.0/8,192.0.2.1",NO-X11-FORWARDING'), [
    { name: 'port-forwarding', negated: true, value: null },
    { name: 'from', negated: false, value: '10.0.0.0/8,192.0.2.1' },
    { name: 'x11-forwarding', negated: true, value: null },
  ]);
  assert.deepEqual(options('restrict'), [{ name: 'restrict', negated: false, value: null }]);
});

test('values: \\" is a quote, other backslashes stay, blanks and commas are part of the value', () => {
  assert.deepEqual(options('command="echo \\"a, b\\" \\\\n"'), [{ name: 'command', negated: false, value: 'echo "a, b" \\\\n' }]);
  assert.deepEqual(
    options('environment="A=1",environment="B=2"').map((o) => o.value),
    ['A=1', 'B=2'],
  );
  assert.deepEqual(options('from=""'), [{ name: 'from', negated: false, value: '' }]);
});

test('malformed fields are syntax errors, as OpenSSH would reject the line', () => {
  for (const f of [
    'from=127.0.0.1',
    "from='127.0.0.1'",
    'from="127.0.0.1',
    'from="127.0.0.1"x',
    'from="127.0.0.1";no-pty',
    'no-pty,',
    ',no-pty',
    'no-pty,,no-agent-forwarding',
    'pty="yes"',
    'command',
    'from="127.0.0.1",from="10.0.0.1"',
    'from="127.0.0.1",FROM="10.0.0.1"',
    'command="a",command="b"',
  ]) {
    assert.equal(failure(f).kind, 'syntax', f);
  }
  assert.match(failure('from="1.1.1.1",from="2.2.2.2"').msg, /more than once/);
});

test('names OpenSSH does not have are unknown, and so are negations it does not accept', () => {
  for (const f of ['foo', 'no-pty,frm="127.0.0.1"', 'no-restrict', 'no-cert-authority', 'ptyx', 'no-from="1.2.3.4"', 'nopty']) {
    assert.equal(failure(f).kind, 'unknown', f);
  }
});

test('splitting the field: up to the first blank outside quotes, with \\" not toggling', () => {
  assert.deepEqual(splitOptionsField('command="ls -l",no-pty ssh-ed25519 AAAA c'), { field: 'command="ls -l",no-pty', rest: 'ssh-ed25519 AAAA c' });
  assert.deepEqual(splitOptionsField('from="a\\" b" ssh-ed25519 AAAA'), { field: 'from="a\\" b"', rest: 'ssh-ed25519 AAAA' });
  assert.deepEqual(splitOptionsField('no-pty\t\tssh-ed25519 AAAA'), { field: 'no-pty', rest: 'ssh-ed25519 AAAA' });
  assert.equal((splitOptionsField('from="a b ssh-ed25519 AAAA') as OptionsError).kind, 'syntax');
});

test('what Gatehouse honours: from= and the no-… flags of what it never does', () => {
  const ok = honourKeyOptions('NO-AGENT-FORWARDING,from="127.0.0.9",no-port-forwarding,no-x11-forwarding,no-user-rc,no-agent-forwarding');
  assert.equal(ok.code, 'OK', ok.msg);
  assert.deepEqual(ok.value?.fromList, ['127.0.0.9']);
  assert.equal(ok.value?.text, 'from="127.0.0.9",no-agent-forwarding,no-port-forwarding,no-x11-forwarding,no-user-rc');
  assert.deepEqual(honourKeyOptions(''), { code: 'OK', msg: 'OK', value: { fromList: [], text: '' } });
});

test('everything else is refused with KO_UNSUPPORTED_KEY_OPTION, malformed fields with KO_NOT_A_KEY', () => {
  for (const f of [
    'no-pty',
    'no-pty,FROM="127.0.0.9"',
    'restrict,from="127.0.0.1"',
    'restrict,pty',
    'command="/bin/true"',
    'environment="A=1"',
    'permitopen="host:22"',
    'permitlisten="8080"',
    'principals="alice"',
    'tunnel="1"',
    'expiry-time="20300101"',
    'cert-authority',
    'verify-required',
    'no-touch-required',
    'port-forwarding',
    'agent-forwarding',
    'x11-forwarding',
    'user-rc',
    'from="127.0.0.1",bogus',
  ]) {
    assert.equal(honourKeyOptions(f).code, 'KO_UNSUPPORTED_KEY_OPTION', f);
  }
  assert.match(honourKeyOptions('no-pty,from="127.0.0.9"').msg, /'no-pty'/);
  for (const f of ['from="127.0.0.1,x",from="127.0.0.9"', 'from=127.0.0.1', 'from="1', "from='127.0.0.1'"]) {
    assert.equal(honourKeyOptions(f).code, 'KO_NOT_A_KEY', f);
  }
});

const ed = generateCheckedKeyPair('ed25519', { comment: 'alice@laptop' });

test('public key lines: options anywhere, any case, or refused; never accepted without them', () => {
  const upper = parsePublicKeyLine(`no-agent-forwarding,FROM="127.0.0.9" ${ed.public}`);
  assert.equal(upper.code, 'OK', upper.msg);
  assert.deepEqual(upper.value?.fromList, ['127.0.0.9']);
  assert.equal(upper.value?.prefix, 'from="127.0.0.9",no-agent-forwarding');
  assert.equal(upper.value?.comment, 'alice@laptop');
  assert.equal(parsePublicKeyLine(`no-pty,FROM="127.0.0.9" ${ed.public}`).code, 'KO_UNSUPPORTED_KEY_OPTION');
  // A blank inside a quoted value belongs to the options (The Bastion's \S+ prefix could not hold it).
  assert.equal(parsePublicKeyLine(`command="ls -l" ${ed.public}`).code, 'KO_UNSUPPORTED_KEY_OPTION');
  assert.equal(parsePublicKeyLine(`from="127.0.0.1,x",from="127.0.0.9" ${ed.public}`).code, 'KO_NOT_A_KEY');
  assert.equal(parsePublicKeyLine(`from="127.0.0.1\\" ${ed.public}`).code, 'KO_NOT_A_KEY');
  // The escaped quote ends up inside the value: not an address, so checkOwnFromList refuses it later.
  assert.deepEqual(parsePublicKeyLine(`from="127.0.0.1\\",10.0.0.1" ${ed.public}`).value?.fromList, ['127.0.0.1"', '10.0.0.1']);
  assert.equal(parsePublicKeyLine(`garbage ${ed.public}`).code, 'KO_UNSUPPORTED_KEY_OPTION');
  assert.equal(parsePublicKeyLine(`  \t${ed.public}  `).code, 'OK');
});
