// Checks on the values a row brings back. Every record a query hands out is built by a decoder
// (decodeAccount, decodeAclRow, …, one per record, beside its query module) that reads each
// column through one of these checks: a database written by something else, or damaged, must
// stop at the store with an error naming the table and the column, not flow into the rules as a
// value of the wrong type. Plain typeof tests, no schema library: the access decision and the
// login run them on every row they read.

/** A column holds a value its record does not allow: a corrupt or foreign database. */
export class StoreRowError extends Error {
  constructor(
    readonly table: string,
    readonly column: string,
    expected: string,
    found: unknown,
  ) {
    super(`store: ${table}.${column} holds ${describe(found)} where ${expected} was expected`);
    this.name = 'StoreRowError';
  }
}

function describe(v: unknown): string {
  if (v === null) return 'NULL';
  if (v === undefined) return 'nothing (no such column)';
  if (Buffer.isBuffer(v)) return `a ${v.length}-byte blob`;
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'bigint') return `the number ${String(v)}`;
  return `a value of type ${typeof v}`;
}

/** The row as an object, to read its columns by name. */
export function rowOf(raw: unknown, table: string): Readonly<Record<string, unknown>> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new StoreRowError(table, '*', 'a row', raw);
  return raw as Readonly<Record<string, unknown>>;
}

/** The row as a tuple, for the queries that read raw rows (columns in the order selected). */
export function tupleOf(raw: unknown, table: string, width: number): readonly unknown[] {
  if (!Array.isArray(raw) || raw.length !== width) throw new StoreRowError(table, '*', `a row of ${width} columns`, raw);
  return raw;
}

// SQLite INTEGER: a safe integer (better-sqlite3 returns a JavaScript number unless asked for BigInt).
export function int(v: unknown, table: string, column: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new StoreRowError(table, column, 'an integer', v);
}

export function intOrNull(v: unknown, table: string, column: string): number | null {
  if (v === null || (typeof v === 'number' && Number.isInteger(v))) return v;
  throw new StoreRowError(table, column, 'an integer or NULL', v);
}

/** SQLite REAL (an INTEGER is accepted too: SQLite may store a whole REAL as one). */
export function real(v: unknown, table: string, column: string): number {
  if (typeof v === 'number') return v;
  throw new StoreRowError(table, column, 'a number', v);
}

export function text(v: unknown, table: string, column: string): string {
  if (typeof v === 'string') return v;
  throw new StoreRowError(table, column, 'text', v);
}

export function textOrNull(v: unknown, table: string, column: string): string | null {
  if (v === null || typeof v === 'string') return v;
  throw new StoreRowError(table, column, 'text or NULL', v);
}

export function blob(v: unknown, table: string, column: string): Buffer {
  if (Buffer.isBuffer(v)) return v;
  throw new StoreRowError(table, column, 'a blob', v);
}

/** An address family column: 4 or 6. */
export function ipFamily(v: unknown, table: string, column: string): 4 | 6 {
  if (v === 4 || v === 6) return v;
  throw new StoreRowError(table, column, '4 or 6', v);
}

/** The members of a string union, written as an object so the compiler checks none is missing. */
export type Members<T extends string> = Readonly<Record<T, true>>;

function isMember<T extends string>(v: unknown, members: Members<T>): v is T {
  return typeof v === 'string' && Object.hasOwn(members, v);
}

export function oneOf<T extends string>(v: unknown, members: Members<T>, table: string, column: string): T {
  if (isMember(v, members)) return v;
  throw new StoreRowError(table, column, `one of ${Object.keys(members).join(', ')}`, v);
}

export function oneOfOrNull<T extends string>(v: unknown, members: Members<T>, table: string, column: string): T | null {
  if (v === null || isMember(v, members)) return v;
  throw new StoreRowError(table, column, `one of ${Object.keys(members).join(', ')} or NULL`, v);
}

/** A row of account_settings or group_settings: (key, value). */
export function decodeSetting(raw: unknown, table: string): [key: string, value: string] {
  const r = rowOf(raw, table);
  return [text(r.key, table, 'key'), text(r.value, table, 'value')];
}
