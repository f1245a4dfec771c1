// The JSON envelope and its three framings (DESIGN.md "The JSON envelope"; The Bastion's
// json_output in lib/perl/OVH/Bastion.pm). This is the only place JSON output is produced.
import type { JsonMode } from './bastionOptions.js';

export interface Envelope {
  readonly command: string | null;
  readonly error_code: string;
  readonly error_message: string;
  readonly value: unknown;
}

/** JSON with every non-ASCII UTF-16 unit escaped as \uXXXX (Perl JSON's ->ascii). */
export function asciiJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** A payload can never contain a frame marker: JSON_START/OUTPUT/END become JSON__START/…. */
export function defuseMarkers(json: string): string {
  return json.replace(/JSON_(START|OUTPUT|END)/g, 'JSON__$1');
}

export function frameEnvelope(env: Envelope, mode: Exclude<JsonMode, 'none'>): string {
  // Exactly the four keys, in this order; an undefined value would make JSON drop the key.
  const ordered = { command: env.command, error_code: env.error_code, error_message: env.error_message, value: env.value ?? null };
  // Perl's JSON pretty printer indents by three spaces; keep that so diffs against The Bastion's
  // output stay quiet.
  const indent = mode === 'pretty' ? 3 : undefined;
  let json: string;
  try {
    json = asciiJson(ordered, indent);
  } catch {
    // A value JSON can't encode (a cycle, a BigInt) is a plugin bug: the caller still gets one
    // well-formed envelope, and the plugin's value is not half-printed.
    json = asciiJson({ command: env.command, error_code: 'ERR_INTERNAL', error_message: 'Internal error: the result could not be encoded', value: null }, indent);
  }
  if (mode === 'greppable') return `\nJSON_OUTPUT=${defuseMarkers(json).replace(/[\r\n]/g, ' ')}\n`;
  return `\nJSON_START\n${defuseMarkers(json)}\nJSON_END\n`;
}
