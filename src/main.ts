// The composition root: configuration, logger, store, keyring, host keys, plugins, SSH listeners.
// Everything is built here and passed down; no module keeps global state.
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { refuseUnsupportedConfigFile } from './config/parse.js';
import { fileConfig, type ConfigSource } from './config/source.js';
import { warnUnboundRoleNames } from './access/roles.js';
import type { Services } from './command/dispatch.js';
import { loadKeyring, type Keyring } from './keys/keyring.js';
import { createLogger } from './log.js';
import { loadPlugins } from './plugin/registry.js';
import { loadOrCreateHostKeys } from './ssh/hostKeys.js';
import { createSshServer } from './ssh/server.js';
import { openStore, type Store } from './store/store.js';
import { VERSION } from './version.js';
import { groupRoleCheck } from './access/groupRoles.js';
import { createRecorderPool } from './egress/recorder.js';
import { createLiveSessions } from './egress/liveSessions.js';

export interface StartOptions {
  readonly configPath: string;
  /** Values that win over the file (command-line flags): listen, dataDir, hostKeysDir, logLevel. */
  readonly overrides?: Record<string, unknown>;
  readonly logDestination?: NodeJS.WritableStream;
}

export interface Gatehouse {
  readonly addresses: readonly { host: string; port: number }[];
  readonly store: Store;
  readonly config: ConfigSource;
  readonly log: Logger;
  readonly dataDir: string;
  readonly keyring: Keyring;
  close(): Promise<void>;
}

export async function startGatehouse(opts: StartOptions): Promise<Gatehouse> {
  const overrides = opts.overrides ?? {};
  const bootLog = createLogger(typeof overrides['logLevel'] === 'string' ? overrides['logLevel'] : 'info', opts.logDestination);
  // A file asking for security Gatehouse lacks stops the start (source.ts refuses it on reload).
  refuseUnsupportedConfigFile(opts.configPath, overrides);
  const config = fileConfig(opts.configPath, bootLog, overrides);
  const cfg = config.current();
  const log = cfg.logLevel === bootLog.level ? bootLog : createLogger(cfg.logLevel, opts.logDestination);
  const dataDir = path.resolve(cfg.dataDir);
  const store = openStore(path.join(dataDir, 'gatehouse.db'));
  const keyring = loadKeyring(dataDir);
  config.onLoad?.((c) => warnUnboundRoleNames(store, c, log));
  const hostKeys = loadOrCreateHostKeys(path.resolve(cfg.hostKeysDir), (k) =>
    log.info({ file: k.file, type: k.type, fingerprint: k.fingerprint }, 'host key generated'),
  );
  for (const k of hostKeys) log.info({ type: k.type, fingerprint: k.fingerprint }, 'host key');
  const plugins = await loadPlugins();
  // Session recordings are written by one worker thread (see src/egress/recorder.ts).
  const recorder = createRecorderPool((err) => log.error({ err: err.message }, 'recorder thread failed'));
  const services: Services = {
    store,
    config,
    keyring,
    plugins,
    clock: { now: () => Date.now() },
    hostname: os.hostname(),
    version: VERSION,
    groupRoles: groupRoleCheck(store),
    recorder,
    liveSessions: createLiveSessions(),
  };
  const servers: ReturnType<typeof createSshServer>[] = [];
  const addresses: { host: string; port: number }[] = [];
  try {
    for (const spec of cfg.listen) {
      const { host, port } = parseListen(spec);
      const srv = createSshServer({ hostKeys, log, services, version: VERSION });
      await new Promise<void>((resolve, reject) => {
        srv.tcp.once('error', reject);
        srv.tcp.listen(port, host, () => {
          srv.tcp.off('error', reject);
          resolve();
        });
      });
      const a = srv.tcp.address() as AddressInfo;
      addresses.push({ host: a.address, port: a.port });
      servers.push(srv);
      log.info({ address: a.address, port: a.port, plugins: plugins.size }, 'listening');
    }
  } catch (e) {
    await Promise.all(servers.map((s) => s.close()));
    await recorder.stop();
    store.close();
    throw e;
  }
  return {
    addresses,
    store,
    config,
    log,
    dataDir,
    keyring,
    async close() {
      await Promise.all(servers.map((s) => s.close()));
      await recorder.stop();
      store.close();
      log.info('stopped');
      log.flush();
    },
  };
}

export function parseListen(spec: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(spec);
  if (!m) throw new Error(`listen address '${spec}' is not ADDR:PORT`);
  const port = Number(m[2]);
  if (port > 65535) throw new Error(`listen address '${spec}': port out of range`);
  return { host: m[1] as string, port };
}
