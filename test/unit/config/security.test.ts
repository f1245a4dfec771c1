// bastion.conf keys of The Bastion that would tighten security and that Gatehouse doesn't
// implement: a value asking for them makes the whole file refused, the inert values pass.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigRefusedError, unsupportedSecurityKeys, validateConfig } from '../../../src/config/parse.js';

test('each key, with a value that asks for the feature, is named in the refusal', () => {
  const asks: Record<string, unknown> = {
    readOnlySlaveMode: true,
    ingressToEgressRules: [[['10.0.0.0/8'], ['10.1.0.0/16'], 'DENY']],
    ingressRequirePIV: 1,
    accountExternalValidationProgram: '/bin/true',
    accountMFAPolicy: 'any-required',
  };
  for (const [k, v] of Object.entries(asks)) {
    const why = unsupportedSecurityKeys({ [k]: v });
    assert.equal(why.length, 1, k);
    assert.match(why[0] ?? '', new RegExp(`^'${k}'`));
    assert.throws(() => validateConfig({ [k]: v }), ConfigRefusedError);
  }
  // The Bastion's boolean casting: any string but no/false/disabled is true.
  assert.equal(unsupportedSecurityKeys({ readOnlySlaveMode: 'yes' }).length, 1);
  assert.equal(unsupportedSecurityKeys({ ingressToEgressRules: 'not a list' }).length, 1);
});

test('the values of bastion.conf.dist, and absent keys, are accepted', () => {
  const dist = { readOnlySlaveMode: false, ingressToEgressRules: [], ingressRequirePIV: false, accountExternalValidationProgram: '', accountMFAPolicy: 'enabled' };
  assert.deepEqual(unsupportedSecurityKeys(dist), []);
  assert.deepEqual(unsupportedSecurityKeys({ readOnlySlaveMode: 'no', accountMFAPolicy: 'disabled', ingressRequirePIV: 0 }), []);
  assert.equal(validateConfig(dist).config.readOnlySlaveMode, false);
  assert.deepEqual(unsupportedSecurityKeys({}), []);
});

test("the DNS and address family keys: The Bastion's defaults, bounds on the new limits", () => {
  const c = validateConfig({}).config;
  assert.equal(c.IPv4Allowed, true);
  assert.equal(c.IPv6Allowed, false);
  assert.equal(c.dnsSupportLevel, 2);
  assert.equal(c.dnsResolveTimeoutSeconds, 5);
  assert.equal(c.dnsMaxConcurrentLookups, 3);
  assert.deepEqual(c.dnsServers, []);
  const bad = validateConfig({ dnsResolveTimeoutSeconds: 0, dnsMaxConcurrentLookups: 100000, dnsServers: ['cafe'] });
  assert.equal(bad.config.dnsResolveTimeoutSeconds, 5);
  assert.equal(bad.config.dnsMaxConcurrentLookups, 3);
  assert.deepEqual(bad.config.dnsServers, []);
  assert.equal(bad.warnings.length, 3);
  assert.deepEqual(validateConfig({ dnsServers: ['127.0.0.1:5353', '::1', '[::1]:53', '10.0.0.1'] }).config.dnsServers, ['127.0.0.1:5353', '::1', '[::1]:53', '10.0.0.1']);
});
