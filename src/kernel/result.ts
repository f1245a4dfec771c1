// The result convention every plugin and check follows (The Bastion's OVH::Result): a registered
// code that starts with OK, KO or ERR, an optional value and a message for people.
import type { ResultCodeName } from './errorCodes.js';

export type ResultCode = ResultCodeName;

export interface Result<V = unknown> {
  readonly code: ResultCode;
  readonly value: V | null;
  readonly msg: string;
}

export function R<V = unknown>(code: ResultCode, opts: { value?: V | null; msg?: string } = {}): Result<V> {
  return { code, value: opts.value ?? null, msg: opts.msg ?? code };
}

export function isOk(r: { code: string }): boolean {
  return r.code.startsWith('OK');
}

export const CODE_PATTERN = /^(OK|KO|ERR)[A-Z0-9_]*$/;
