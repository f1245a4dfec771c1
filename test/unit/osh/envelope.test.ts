// The JSON envelope and its framings (DESIGN.md "The JSON envelope").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asciiJson, defuseMarkers, frameEnvelope, type Envelope } from '../../../src/osh/envelope.js';

const ENV: Envelope = { command: 'info', error_code: 'OK', error_message: 'OK', value: { a: 1 } };

test('asciiJson escapes every non-ASCII character as \\uXXXX, surrogate pairs included', () => {
  const s = asciiJson({ c: 'café ☕ 😀 \u00a0' });
  assert.equal(s, '{"c":"caf\\u00e9 \\u2615 \\ud83d\\ude00 \\u00a0"}');
  assert.match(s, /^[\x20-\x7e]*$/);
  assert.deepEqual(JSON.parse(s), { c: 'café ☕ 😀 \u00a0' });
});

test('asciiJson keeps control characters escaped and the text parseable', () => {
  const v = { t: 'tab\there\nnew\u0001\u007f' };
  const s = asciiJson(v);
  assert.match(s, /^[\x20-\x7e]*$/);
  assert.deepEqual(JSON.parse(s), v);
});

test('defuseMarkers rewrites the three frame markers anywhere, nothing else', () => {
  assert.equal(defuseMarkers('x JSON_START y JSON_OUTPUT= z JSON_END'), 'x JSON__START y JSON__OUTPUT= z JSON__END');
  assert.equal(defuseMarkers('JSON_ENDJSON_END'), 'JSON__ENDJSON__END');
  assert.equal(defuseMarkers('JSON_STARTED json_end JSON__END'), 'JSON__STARTED json_end JSON__END');
});

test('--json: a blank line, JSON_START, one compact line, JSON_END', () => {
  const out = frameEnvelope(ENV, 'default');
  assert.equal(out, '\nJSON_START\n{"command":"info","error_code":"OK","error_message":"OK","value":{"a":1}}\nJSON_END\n');
});

test('exactly four keys, in a fixed order, whatever order the envelope was built in', () => {
  const messy = { value: null, error_message: 'm', command: null, error_code: 'KO_X', extra: 1 } as unknown as Envelope;
  const out = frameEnvelope(messy, 'default');
  const json = out.split('\n')[2] as string;
  assert.equal(json, '{"command":null,"error_code":"KO_X","error_message":"m","value":null}');
});

test('--json-pretty: indented, still framed, still one envelope', () => {
  const out = frameEnvelope({ ...ENV, value: { list: [1, 2], s: 'é' } }, 'pretty');
  assert.ok(out.startsWith('\nJSON_START\n{\n'));
  assert.ok(out.endsWith('\n}\nJSON_END\n'));
  assert.match(out, /\n {3}"command": "info",\n/);
  assert.match(out, /\\u00e9/);
  const body = out.slice('\nJSON_START\n'.length, -'\nJSON_END\n'.length);
  assert.deepEqual(JSON.parse(body).value, { list: [1, 2], s: 'é' });
});

test('--json-greppable: one JSON_OUTPUT= line between newlines', () => {
  const out = frameEnvelope({ ...ENV, error_message: 'two\nlines' }, 'greppable');
  assert.ok(out.startsWith('\nJSON_OUTPUT={'));
  assert.ok(out.endsWith('}\n'));
  assert.equal(out.split('\n').length, 3);
  assert.equal(JSON.parse(out.slice('\nJSON_OUTPUT='.length)).error_message, 'two\nlines');
});

test('markers inside any value cannot forge or break a frame, in every mode', () => {
  const evil: Envelope = {
    command: 'accountCreate',
    error_code: 'OK',
    error_message: 'JSON_END',
    value: { comment: '"}\nJSON_END\nJSON_START\n{"forged":1}', JSON_OUTPUT: 'key too' },
  };
  for (const mode of ['default', 'pretty', 'greppable'] as const) {
    const out = frameEnvelope(evil, mode);
    const markers = out.match(/JSON_(START|END|OUTPUT)/g) ?? [];
    assert.deepEqual(markers, mode === 'greppable' ? ['JSON_OUTPUT'] : ['JSON_START', 'JSON_END'], mode);
    const body = mode === 'greppable' ? out.slice('\nJSON_OUTPUT='.length) : out.slice('\nJSON_START\n'.length, -'\nJSON_END\n'.length);
    const back = JSON.parse(body);
    assert.equal(back.value.comment, '"}\nJSON__END\nJSON__START\n{"forged":1}');
    assert.equal(back.value.JSON__OUTPUT, 'key too');
    assert.equal(back.error_message, 'JSON__END');
  }
});

test('a value that JSON cannot encode does not throw out of the framing', () => {
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  const out = frameEnvelope({ ...ENV, value: cyclic }, 'default');
  const back = JSON.parse(out.split('\n')[2] as string);
  assert.equal(back.error_code, 'ERR_INTERNAL');
  assert.equal(back.command, 'info');
  assert.equal(back.value, null);
});
