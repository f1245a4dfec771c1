// Waiting for something the server does asynchronously (a log line, a closed socket) without
// sleeping a fixed time: poll until true, fail with a clear message after a generous deadline.
export async function waitFor(what: string, check: () => boolean, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Log lines with the given msg (and, when given, matching fields). */
export function logLines(logs: readonly Record<string, unknown>[], msg: string, fields: Record<string, unknown> = {}): Record<string, unknown>[] {
  return logs.filter((l) => l['msg'] === msg && Object.entries(fields).every(([k, v]) => l[k] === v));
}
