// The result convention every plugin and check follows (The Bastion's OVH::Result): a registered
// code that starts with OK, KO or ERR, a value and a message for people. A Result is one of two
// shapes, told apart by its code: a success (an OK* code) carries the value its type promises; a
// failure (KO*/ERR*) carries null, or what a refusal shows of the input (The Bastion's refusals
// of a key carry the parsed key: typed by E). `isOk(r)` narrows r to the success, so after
// `if (!isOk(r)) return r;` r.value is the value, with no null check.
import type { ResultCodeName } from './errorCodes.js';

export type ResultCode = ResultCodeName;
export type OkCode = Extract<ResultCode, `OK${string}`>;
export type FailCode = Exclude<ResultCode, OkCode>;

export interface Ok<V> {
  readonly code: OkCode;
  readonly value: V;
  readonly msg: string;
}

export interface Failed<E = null> {
  readonly code: FailCode;
  readonly value: E;
  readonly msg: string;
}

export type Result<V = unknown, E = null> = Ok<V> | Failed<E>;

/** A success with its value. */
export function R<V>(code: OkCode, opts: { value: V; msg?: string }): Ok<V>;
/** A success with nothing to hand back (value null). */
export function R(code: OkCode, opts?: { msg?: string }): Ok<null>;
/** A failure that shows what it refused. */
export function R<E>(code: FailCode, opts: { value: E; msg?: string }): Failed<E>;
/** A failure: its code and a message for people. */
export function R(code: FailCode, opts?: { msg?: string }): Failed;
/** A code known only at run time (passed on from another result, or chosen by a condition). */
export function R<V>(code: ResultCode, opts?: { value?: V; msg?: string }): Result<V | null, V | null>;
export function R<V>(code: ResultCode, opts: { value?: V; msg?: string } = {}): Result<V | null, V | null> {
  return { code, value: opts.value ?? null, msg: opts.msg ?? code } as Result<V | null, V | null>;
}

/** Whether r succeeded; narrows a Result to its success. */
export function isOk<V, E>(r: Result<V, E>): r is Ok<V>;
export function isOk(r: { readonly code: string }): boolean;
export function isOk(r: { readonly code: string }): boolean {
  return r.code.startsWith('OK');
}

export const CODE_PATTERN = /^(OK|KO|ERR)[A-Z0-9_]*$/;
