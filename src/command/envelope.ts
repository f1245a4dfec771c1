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
  const ordered = { command: env.command, error_code: env.error_code, error_message: env.error_message, value: env.value };
  if (mode === 'greppable') {
    return `\nJSON_OUTPUT=${defuseMarkers(asciiJson(ordered)).replace(/[\r\n]/g, ' ')}\n`;
  }
  // Perl's JSON pretty printer indents by three spaces; keep that so diffs against The Bastion's
  // output stay quiet.
  const body = mode === 'pretty' ? asciiJson(ordered, 3) : asciiJson(ordered);
  return `\nJSON_START\n${defuseMarkers(body)}\nJSON_END\n`;
}
