// Red-team pass on issue 9: attacks an ordinary account can make over SSH that the hardening
// missed, each asserting the secure outcome.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { brief, osh } from '../helpers/groups.js';
import { startTestServer, type TestAccount, type TestServer } from '../helpers/server.js';

let srv: TestServer;
let alice: TestAccount;

before(async () => {
  srv = await startTestServer();
  alice = srv.addAccount('alice');
});

after(async () => {
  await srv.close();
});

test('attack: groupList --include with a run of stars does not freeze the event loop (the RegExp backtracked for minutes)', async () => {
  const made = await osh(srv, srv.admin, ['--osh', 'groupCreate', '--group', 'abcdefghijklmnopqr', '--owner', srv.admin.name, '--algo', 'ed25519']);
  assert.equal(made.env.error_code, 'OK', brief(made));
  // 32 stars against an 18-character name: C(50,18) ways for a backtracking RegExp to fail.
  const started = Date.now();
  const listed = await osh(srv, alice, ['--osh', 'groupList', '--all', '--include', '*'.repeat(32) + '!']);
  assert.equal(listed.env.error_code, 'OK_EMPTY', brief(listed));
  const kept = await osh(srv, alice, ['--osh', 'groupList', '--all', '--include', '*'.repeat(32) + 'r']);
  assert.equal(kept.env.error_code, 'OK', brief(kept));
  assert.deepEqual(Object.keys(kept.env.value as object), ['abcdefghijklmnopqr']);
  // Generous: minutes per name before; a loaded box answers in seconds.
  assert.ok(Date.now() - started < 60_000);
});

test('attack: a group owner\'s --guest-ttl-limit of 60 digits and a bad character is refused at once (the TTL RegExp backtracked exponentially)', async () => {
  const made = await osh(srv, srv.admin, ['--osh', 'groupCreate', '--group', 'alicegrp', '--owner', alice.name, '--algo', 'ed25519']);
  assert.equal(made.env.error_code, 'OK', brief(made));
  const started = Date.now();
  // On any group: the TTL is read before the group is looked at.
  const r = await osh(srv, alice, ['--osh', 'groupModify', '--group', 'alicegrp', '--guest-ttl-limit', '1'.repeat(60) + '!']);
  assert.equal(r.env.error_code, 'KO_INVALID_PARAMETER', brief(r));
  assert.ok(Date.now() - started < 60_000);
});
