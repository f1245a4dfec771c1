// The configuration in force. Every new session asks for it; the file is stat()ed and re-read only
// when its size or mtime changed, so edits apply without a restart (as in The Bastion) at the cost
// of one stat per session. A file that can't be read or parsed keeps the last good configuration.
import fs from 'node:fs';
import type { Logger } from 'pino';
import { readConfigObject, validateConfig } from './parse.js';
import type { BastionConfig } from './schema.js';

export interface ConfigSource {
  current(): BastionConfig;
  /**
   * Reads the file again now, whatever its size and time say (SIGHUP), and logs the outcome:
   * `configuration reloaded`, or why the file was refused (the last good configuration stays).
   * Returns whether the file was taken.
   */
  reload(): boolean;
  readonly path: string | null;
  /** Calls `listener` with the configuration in force now, then after every later reload. */
  onLoad?(listener: (config: BastionConfig) => void): void;
}

/** Keys read once at start: a reload that changes them says a restart is needed. */
const READ_AT_START = ['listen', 'dataDir', 'hostKeysDir', 'logLevel'] as const;

export function fixedConfig(raw: Record<string, unknown> = {}): ConfigSource {
  const { config } = validateConfig(raw);
  return { current: () => config, reload: () => true, path: null };
}

export function fileConfig(path: string, log: Pick<Logger, 'warn' | 'info' | 'error'>, overrides: Record<string, unknown> = {}): ConfigSource {
  let good: BastionConfig = validateConfig(overrides).config;
  let seen = '';
  let loaded = false;
  const listeners: ((config: BastionConfig) => void)[] = [];
  /** Whether the configuration in force now comes from the file as it is. */
  const load = (force: boolean): boolean => {
    let stamp: string;
    try {
      const st = fs.statSync(path);
      stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
    } catch {
      stamp = 'absent';
    }
    if (stamp === seen && !force) return true;
    seen = stamp;
    if (stamp === 'absent') {
      // No file at start: the defaults. A file that disappears later (an editor replacing it, an
      // operator's mistake) is a file that can't be read: keep what was in force.
      if (loaded) log.error({ config: path }, 'configuration file missing, keeping the last good one');
      return !loaded;
    }
    try {
      const text = fs.readFileSync(path, 'utf8');
      const merged = validateConfig({ ...readConfigObject(text), ...overrides });
      for (const w of merged.warnings) log.warn({ config: path }, `configuration: ${w}`);
      const before = good;
      good = merged.config;
      if (force) {
        const stale = READ_AT_START.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(good[k]));
        if (loaded && stale.length > 0) log.warn({ config: path, keys: stale }, 'configuration: these keys are read at start only, restart to apply them');
        log.info({ config: path }, 'configuration reloaded');
      } else log.info({ config: path }, 'configuration loaded');
      loaded = true;
      for (const listener of listeners) listener(good);
      return true;
    } catch (e) {
      log.error({ config: path, err: (e as Error).message }, 'configuration file rejected, keeping the last good one');
      return false;
    }
  };
  load(false);
  return {
    path,
    current: () => {
      load(false);
      return good;
    },
    reload: () => load(true),
    onLoad: (listener) => {
      listeners.push(listener);
      listener(good);
    },
  };
}
