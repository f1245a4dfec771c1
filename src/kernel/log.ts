// Structured logs: pino JSON lines on stdout, one child logger per connection and per call.
// Much of what is logged comes from clients (user names, commands, host names, env names), so every
// string that reaches a line, in the logged object, a child logger's bindings or the message, is
// clipped and has its control characters escaped here, in one place: a 30 KB user name can't make
// a 30 KB line, and an escape sequence can't reach an operator's terminal through `jq -r`.
import { pino, type Logger } from 'pino';

/** Characters kept of any logged string; the rest is replaced by a note of its size. */
const LOG_STRING_MAX = 256;
/** A stack trace is ours, not the client's, and worth more room. */
const LOG_STACK_MAX = 2048;
/** Items kept of an array, keys of an object, levels of nesting. */
const LOG_ITEMS_MAX = 32;
const LOG_DEPTH_MAX = 4;

// C0 and C1 controls, DEL, and the Unicode line separators and bidirectional overrides that
// reorder what a terminal shows.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * The string as a log line may hold it: control characters written as \xNN / \uNNNN (a stack
 * trace keeps its line breaks), then cut to `max` characters with a note of the original size.
 */
export function clipLogString(s: string, max = LOG_STRING_MAX, keepNewlines = false): string {
  const head = s.length > max ? s.slice(0, max) : s;
  const escaped = head.replace(UNSAFE, (c) => {
    if (keepNewlines && c === '\n') return c;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  if (escaped.length <= max && head.length === s.length) return escaped;
  return `${escaped.slice(0, max)}…[${Buffer.byteLength(s)} bytes]`;
}

/** A copy of a logged value with every string clipped and every collection bounded. */
function boundLogValue(v: unknown, depth = 0, key = ''): unknown {
  if (typeof v === 'string') return key === 'stack' ? clipLogString(v, LOG_STACK_MAX, true) : clipLogString(v);
  if (v === null || typeof v !== 'object') return v;
  if (depth >= LOG_DEPTH_MAX) return '[nested too deep]';
  if (Buffer.isBuffer(v)) return `[${v.length} bytes]`;
  if (v instanceof Error) return boundLogValue(pino.stdSerializers.err(v), depth, key);
  if (Array.isArray(v)) {
    const kept = v.slice(0, LOG_ITEMS_MAX).map((x) => boundLogValue(x, depth + 1));
    if (v.length > LOG_ITEMS_MAX) kept.push(`…[${v.length - LOG_ITEMS_MAX} more]`);
    return kept;
  }
  if (v instanceof Map || v instanceof Set) return `[${v.constructor.name} of ${v.size}]`;
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [k, x] of Object.entries(v)) {
    if (n++ >= LOG_ITEMS_MAX) {
      out['…'] = `${Object.keys(v).length - LOG_ITEMS_MAX} more keys`;
      break;
    }
    out[clipLogString(k, 64)] = boundLogValue(x, depth + 1, k);
  }
  return out;
}

const boundObject = (o: Record<string, unknown>): Record<string, unknown> => boundLogValue(o) as Record<string, unknown>;

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const root = pino(
    {
      level,
      base: { service: 'gatehouse' },
      redact: { paths: ['*.privateKey', '*.passphrase', '*.password'], censor: '********' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: boundObject, bindings: boundObject },
      // Errors are serialized by boundLogValue (so their message and stack are bounded too).
      serializers: { err: (e: unknown) => e },
      hooks: {
        // The message and any interpolation arguments; the object is bounded by formatters.log.
        logMethod(args, method) {
          const bounded = args.map((a) => (typeof a === 'string' ? clipLogString(a, LOG_STRING_MAX * 2) : a)) as typeof args;
          return method.apply(this, bounded);
        },
      },
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
  // pino gives children no bindings formatter (formatters.bindings only sees the root's), and a
  // child's bindings (peer, account, plugin) come from clients too: bound them on the way in.
  // Children inherit this method from the root, so grandchildren are bounded the same way.
  const child = root.child;
  root.child = function <L extends string = never>(this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions<L>) {
    return child.call(this, boundObject(bindings), options);
  } as typeof child;
  return root;
}

export type { Logger };
