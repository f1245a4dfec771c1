// The configuration in force. Every new session asks for it; the file is stat()ed and re-read only
// when its size or mtime changed, so edits apply without a restart (as in The Bastion) at the cost
// of one stat per session. A file that can't be read or parsed keeps the last good configuration.
import fs from 'node:fs';
import type { Logger } from 'pino';
import { readConfigObject, validateConfig } from './parse.js';
import type { BastionConfig } from './schema.js';

export interface ConfigSource {
  current(): BastionConfig;
  readonly path: string | null;
  /** Calls `listener` with the configuration in force now, then after every later reload. */
  onLoad?(listener: (config: BastionConfig) => void): void;
}

export function fixedConfig(raw: Record<string, unknown> = {}): ConfigSource {
  const { config } = validateConfig(raw);
  return { current: () => config, path: null };
}

export function fileConfig(path: string, log: Pick<Logger, 'warn' | 'info' | 'error'>, overrides: Record<string, unknown> = {}): ConfigSource {
  let good: BastionConfig = validateConfig(overrides).config;
  let seen = '';
  let loaded = false;
  const listeners: ((config: BastionConfig) => void)[] = [];
  const load = (): void => {
    let stamp: string;
    try {
      const st = fs.statSync(path);
      stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
    } catch {
      stamp = 'absent';
    }
    if (stamp === seen) return;
    seen = stamp;
    if (stamp === 'absent') {
      // No file at start: the defaults. A file that disappears later (an editor replacing it, an
      // operator's mistake) is a file that can't be read: keep what was in force.
      if (loaded) log.error({ config: path }, 'configuration file missing, keeping the last good one');
      return;
    }
    try {
      const text = fs.readFileSync(path, 'utf8');
      const merged = validateConfig({ ...readConfigObject(text), ...overrides });
      for (const w of merged.warnings) log.warn({ config: path }, `configuration: ${w}`);
      good = merged.config;
      loaded = true;
      log.info({ config: path }, 'configuration loaded');
    } catch (e) {
      log.error({ config: path, err: (e as Error).message }, 'configuration file rejected, keeping the last good one');
      return;
    }
    for (const listener of listeners) listener(good);
  };
  load();
  return {
    path,
    current: () => {
      load();
      return good;
    },
    onLoad: (listener) => {
      listeners.push(listener);
      listener(good);
    },
  };
}
