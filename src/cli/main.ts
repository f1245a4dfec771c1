// The composition root: configuration, logger, store, keyring, host keys, plugins, SSH listeners.
// Everything is built here and passed down; no module keeps global state.
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { refuseUnsupportedConfigFile } from '../config/parse.js';
import { fileConfig, type ConfigSource } from '../config/source.js';
import { warnUnboundRoleNames } from '../policy/roles.js';
import type { Services } from '../dispatch/callTypes.js';
import type { Clock } from '../osh/context.js';
import { loadKeyring, type Keyring } from '../services/keyring.js';
import { createLogger } from '../kernel/log.js';
import { loadPlugins } from '../osh/registry.js';
import { loadOrCreateHostKeys } from '../ssh/hostKeys.js';
import { createAdmission, createSshServer } from '../ssh/server.js';
import { openStore, type Store } from '../store/store.js';
import { VERSION } from '../kernel/version.js';
import { groupRoleCheck } from '../access/groupRoles.js';
import { createRecorderPool } from '../services/recorder.js';
import { createLiveSessions } from '../services/liveSessions.js';
import { startLiveSweep } from '../accounts/liveSweep.js';

export interface StartOptions {
  readonly configPath: string;
  /** Values that win over the file (command-line flags): listen, dataDir, hostKeysDir, logLevel. */
  readonly overrides?: Record<string, unknown>;
  readonly logDestination?: NodeJS.WritableStream;
  /**
   * The clock every decision reads (TTLs, expiry, activity, audit times): the system's unless
   * given. Tests pass one they can move forward instead of sleeping until a TTL runs out.
   */
  readonly clock?: Clock;
}

export interface Gatehouse {
  readonly addresses: readonly { host: string; port: number }[];
  readonly store: Store;
  readonly config: ConfigSource;
  readonly log: Logger;
  readonly dataDir: string;
  readonly keyring: Keyring;
  /** What every call is given (tests drive the dispatcher with it in-process, without SSH). */
  readonly services: Services;
  /**
   * A graceful stop: stop accepting, let calls and egress sessions finish within
   * shutdownDrainSeconds, then end those left (told why, recorded as bastion_shutdown), close the
   * connections, stop the recorder and close the store. A second call cuts the drain short.
   */
  close(): Promise<void>;
}

/**
 * After the connections are closed, how long the calls cut short get to write their audit rows
 * before the store closes. It is waited only while calls are still running (they end quickly once
 * their connection is gone), so it is generous: on a loaded machine 2 s was not always enough, and
 * a call finishing after the store closed would lose its audit row.
 */
const SETTLE_MS = 10_000;

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
  const hostKeys = loadOrCreateHostKeys(path.resolve(cfg.hostKeysDir), (k) => log.info({ file: k.file, type: k.type, fingerprint: k.fingerprint }, 'host key generated'));
  for (const k of hostKeys) log.info({ type: k.type, fingerprint: k.fingerprint }, 'host key');
  const plugins = await loadPlugins();
  // Session recordings are written by one worker thread (see src/services/recorder.ts).
  const recorder = createRecorderPool((err) => log.error({ err: err.message }, 'recorder thread failed'));
  const live = createLiveSessions();
  const services: Services = {
    store,
    config,
    keyring,
    plugins,
    clock: opts.clock ?? { now: () => Date.now() },
    hostname: os.hostname(),
    version: VERSION,
    groupRoles: groupRoleCheck(store),
    recorder,
    liveSessions: live,
  };
  // One admission state for every listener: the pre-auth limits and penalties are the process's.
  const admission = createAdmission(services, log);
  const servers: ReturnType<typeof createSshServer>[] = [];
  const addresses: { host: string; port: number }[] = [];
  try {
    for (const spec of cfg.listen) {
      const { host, port } = parseListen(spec);
      const srv = createSshServer({ hostKeys, log, services, version: VERSION, admission });
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
  const sweep = startLiveSweep({ live, store, config, clock: services.clock, log });
  let closing: Promise<void> | null = null;
  const cutDrain = new AbortController();
  const shutdown = async (): Promise<void> => {
    const drainSeconds = config.current().shutdownDrainSeconds;
    live.drain();
    for (const s of servers) s.stopListening();
    sweep.stop();
    log.info({ drainSeconds, calls: live.callsInFlight() }, 'shutting down: no new connection or call, waiting for those in progress');
    const drained = await live.whenIdle(drainSeconds * 1000, cutDrain.signal);
    const calls = live.callsInFlight();
    if (!drained) log.info({ calls }, 'drain time over, ending what is left');
    // Sessions still running are told why and end (recorded as bastion_shutdown), then every
    // connection is closed once its calls have sent their exit status.
    const ended = await live.endAll('bastion_shutdown');
    if (!drained) log.info({ sessions: ended.sessions, connections: ended.connections }, 'sessions and connections ended for the shutdown');
    await Promise.all(servers.map((s) => s.close()));
    await live.whenIdle(SETTLE_MS);
    await recorder.stop();
    store.close();
    log.info('stopped');
    log.flush();
  };
  return {
    addresses,
    store,
    config,
    log,
    dataDir,
    keyring,
    services,
    close() {
      if (closing !== null) cutDrain.abort();
      closing ??= shutdown();
      return closing;
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
