// Turns the text of a bastion.conf into a validated configuration. The format is The Bastion's:
// a JSON object in which lines whose first non-blank character is '#' are comments (see
// stripComments for the other comment forms The Bastion accepts).
import fs from 'node:fs';
import { CONFIG_SCHEMA, DEPRECATED_NAMES, type BastionConfig, type KeySpec } from './schema.js';

export interface ParsedConfig {
  readonly config: BastionConfig;
  /** Values that were present but invalid and fell back to their default, and unknown keys. */
  readonly warnings: readonly string[];
}

export class ConfigSyntaxError extends Error {}

/**
 * A bastion.conf that asks for a security behaviour Gatehouse doesn't have (a read-only replica,
 * ingress-to-egress rules, PIV keys, an external account validator, mandatory MFA). Ignoring such
 * a key would run a bastion less strict than its operator wrote down, so the file is refused:
 * `serve` stops (exit 110) and a reload keeps the configuration in force.
 */
export class ConfigRefusedError extends Error {}

/** The Bastion's keys that tighten security and that Gatehouse doesn't implement, and when a value asks for it. */
const UNSUPPORTED_SECURITY_KEYS: readonly { readonly key: string; readonly asks: (v: unknown) => boolean; readonly what: string }[] = [
  { key: 'readOnlySlaveMode', asks: (v) => isTrue(v), what: 'read-only replica mode is not available (every write plugin would still run)' },
  { key: 'ingressToEgressRules', asks: (v) => !Array.isArray(v) || v.length > 0, what: 'ingress-to-egress rules are not available (they would not be enforced)' },
  { key: 'ingressRequirePIV', asks: (v) => isTrue(v), what: 'PIV-attested ingress keys are not available (any key would be accepted)' },
  {
    key: 'accountExternalValidationProgram',
    asks: (v) => typeof v !== 'string' || v !== '',
    what: 'an external account validation program is not available (it would never be called)',
  },
  { key: 'accountMFAPolicy', asks: (v) => typeof v === 'string' && v.endsWith('-required'), what: 'multi-factor authentication is not available, so it can not be required' },
];

/** A value The Bastion's boolean casting reads as true (anything but false, 0, no, disabled, empty). */
function isTrue(v: unknown): boolean {
  const c = checkValue({ kind: 'bool', default: false }, v);
  return c.ok ? c.value === true : v !== '' && v !== false;
}

/** The reasons a configuration object must be refused (empty when it can be used). */
export function unsupportedSecurityKeys(raw: Record<string, unknown>): string[] {
  return UNSUPPORTED_SECURITY_KEYS.filter((k) => raw[k.key] !== undefined && raw[k.key] !== null && k.asks(raw[k.key])).map(
    (k) => `'${k.key}' is set to ${JSON.stringify(raw[k.key])}, but ${k.what}`,
  );
}

/**
 * The comments The Bastion's json_load (lib/perl/OVH/Bastion/configuration.inc) removes: whole
 * lines whose first non-blank character is '#', `//` to the end of a line when outside a string,
 * and `/** … *\/` blocks. They become spaces, so every other character keeps its position (JSON
 * error positions point into the file, and the config editor can find keys by offset).
 */
export function stripComments(text: string): string {
  const blank = (s: string): string => s.replace(/[^\n]/g, ' ');
  const lines = text.split('\n').map((line) => {
    if (/^\s*#/.test(line)) return blank(line);
    const kept = cutLineComment(line);
    return kept + blank(line.slice(kept.length));
  });
  return lines.join('\n').replace(/\/\*\*[\s\S]+?\*\//g, blank);
}

/** The line up to a `//` that is not inside a JSON string. */
function cutLineComment(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '/' && line[i + 1] === '/') return line.slice(0, i);
  }
  return line;
}

/**
 * The check `serve` makes before it starts: a bastion.conf that asks for a security behaviour
 * Gatehouse lacks stops it (ConfigRefusedError). An absent or unparsable file is left to the
 * configuration source, as before.
 */
export function refuseUnsupportedConfigFile(path: string, overrides: Record<string, unknown>): void {
  let raw: Record<string, unknown>;
  try {
    raw = readConfigObject(fs.readFileSync(path, 'utf8'));
  } catch {
    return;
  }
  const refused = unsupportedSecurityKeys({ ...raw, ...overrides });
  if (refused.length > 0) throw new ConfigRefusedError(`configuration ${path}: unsupported security settings: ${refused.join('; ')}`);
}

export function parseConfigText(text: string): ParsedConfig {
  return validateConfig(readConfigObject(text));
}

/** The raw object a bastion.conf holds, before validation. */
export function readConfigObject(text: string): Record<string, unknown> {
  let body = stripComments(text.replace(/^\uFEFF/, '')).trim();
  // Like json_load, a file that holds only the key/value lines may leave out the outer braces.
  if (body !== '' && !body.startsWith('{')) body = `{\n${body}\n}`;
  let raw: unknown = {};
  if (body !== '') {
    try {
      raw = JSON.parse(body);
    } catch (e) {
      throw new ConfigSyntaxError(`not valid JSON: ${(e as Error).message}`);
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigSyntaxError('the top level must be a JSON object');
  }
  return raw as Record<string, unknown>;
}

export function validateConfig(raw: Record<string, unknown>): ParsedConfig {
  const refused = unsupportedSecurityKeys(raw);
  if (refused.length > 0) throw new ConfigRefusedError(`unsupported security settings: ${refused.join('; ')}`);
  const warnings: string[] = [];
  const input: Record<string, unknown> = { ...raw };
  for (const [fresh, old] of Object.entries(DEPRECATED_NAMES)) {
    if (input[fresh] === undefined && input[old] !== undefined) input[fresh] = input[old];
  }
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(CONFIG_SCHEMA) as [string, KeySpec][]) {
    const given = input[name];
    if (given === undefined || given === null) {
      out[name] = spec.kind === 'list' ? [...spec.default] : spec.default;
      continue;
    }
    const checked = checkValue(spec, given);
    if (checked.ok) {
      out[name] = checked.value;
    } else {
      warnings.push(`option '${name}': ${checked.why}, using the default`);
      out[name] = spec.kind === 'list' ? [...spec.default] : spec.default;
    }
  }
  deriveEgressKeySize(out, warnings);
  const known = new Set([...Object.keys(CONFIG_SCHEMA), ...Object.values(DEPRECATED_NAMES)]);
  for (const name of Object.keys(raw)) {
    if (!known.has(name)) warnings.push(`option '${name}' is not used by Gatehouse`);
  }
  return { config: Object.freeze(out) as unknown as BastionConfig, warnings };
}

// defaultAccountEgressKeySize depends on defaultAccountEgressKeyAlgorithm (configuration.inc):
// 0 or absent means the algorithm's default, and a size the algorithm can't take falls back to it.
const EGRESS_SIZES: Record<string, { fallback: number; valid: (n: number) => boolean }> = {
  rsa: { fallback: 4096, valid: (n) => n >= 1024 && n <= 32768 },
  ecdsa: { fallback: 521, valid: (n) => [256, 384, 521].includes(n) },
  ed25519: { fallback: 256, valid: (n) => n === 256 },
};

function deriveEgressKeySize(out: Record<string, unknown>, warnings: string[]): void {
  const rule = EGRESS_SIZES[String(out['defaultAccountEgressKeyAlgorithm'])];
  if (!rule) return;
  const size = Number(out['defaultAccountEgressKeySize']);
  if (size === 0) out['defaultAccountEgressKeySize'] = rule.fallback;
  else if (!rule.valid(size)) {
    warnings.push(`option 'defaultAccountEgressKeySize': ${size} does not suit ${String(out['defaultAccountEgressKeyAlgorithm'])}, using ${rule.fallback}`);
    out['defaultAccountEgressKeySize'] = rule.fallback;
  }
}

type Checked = { ok: true; value: unknown } | { ok: false; why: string };

function checkValue(spec: KeySpec, given: unknown): Checked {
  switch (spec.kind) {
    case 'string':
      if (typeof given !== 'string') return { ok: false, why: 'not a string' };
      return spec.valid.test(given) ? { ok: true, value: given } : { ok: false, why: `'${given}' is not valid` };
    case 'enum':
      if (typeof given !== 'string' || !spec.valid.includes(given)) {
        return { ok: false, why: `should be one of [${spec.valid.join(',')}]` };
      }
      return { ok: true, value: given };
    case 'int': {
      const n = typeof given === 'number' ? given : typeof given === 'string' && /^-?\d+$/.test(given) ? Number(given) : NaN;
      if (!Number.isInteger(n)) return { ok: false, why: 'not a whole number' };
      if (n < spec.min || n > spec.max) return { ok: false, why: `${n} is outside ${spec.min}..${spec.max}` };
      return { ok: true, value: n };
    }
    case 'bool':
      // The Bastion's casting: JSON booleans, 0/1, and the strings no/false/disabled as false.
      if (typeof given === 'boolean') return { ok: true, value: given };
      if (given === 0 || given === 1 || given === '0' || given === '1') return { ok: true, value: Number(given) === 1 };
      if (typeof given === 'string' && ['no', 'false', 'disabled'].includes(given.toLowerCase())) {
        return { ok: true, value: false };
      }
      return { ok: false, why: 'not a boolean' };
    case 'list': {
      if (!Array.isArray(given)) return { ok: false, why: 'not an array' };
      const bad = given.find((v) => typeof v !== 'string' || !spec.valid.test(v));
      if (bad !== undefined) return { ok: false, why: `item ${JSON.stringify(bad)} is not valid` };
      return { ok: true, value: Object.freeze([...(given as string[])]) };
    }
  }
}
