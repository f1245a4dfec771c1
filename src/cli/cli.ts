#!/usr/bin/env node
// `gatehouse serve` and `gatehouse setup-admin`: the names and flags other tools rely on.
import fs from 'node:fs';
import path from 'node:path';
import parse from 'yargs-parser';
import { bootstrapAdmin, setupAdmin } from '../accounts/admin.js';
import { ConfigRefusedError, validateConfig } from '../config/parse.js';
import { EXIT } from '../kernel/exitCodes.js';
import { fileConfig } from '../config/source.js';
import { isOk } from '../kernel/result.js';
import { createLogger } from '../kernel/log.js';
import { startGatehouse, type Gatehouse } from './main.js';
import { openStore } from '../store/store.js';
import { loadKeyring } from '../services/keyring.js';

const USAGE = `Usage:
  gatehouse serve [--config FILE] [--listen ADDR:PORT]... [--data-dir DIR] [--hostkeys-dir DIR]
                  [--log-level LEVEL] [--bootstrap-admin]
  gatehouse setup-admin --account NAME --public-key-file FILE [--config FILE] [--data-dir DIR]
`;

/** A path as one shell word, so the printed ssh line can be pasted as is. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function fail(msg: string, code = 2): never {
  process.stderr.write(`gatehouse: ${msg}\n`);
  process.exit(code);
}

async function main(argv: string[]): Promise<void> {
  const args = parse(argv, {
    string: ['config', 'listen', 'data-dir', 'hostkeys-dir', 'log-level', 'account', 'public-key-file'],
    boolean: ['bootstrap-admin', 'help'],
    array: ['listen'],
    configuration: { 'camel-case-expansion': false, 'parse-numbers': false, 'unknown-options-as-args': true, 'boolean-negation': false },
  });
  const [command, ...extra] = args._.map(String);
  if (args['help'] || command === undefined || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (extra.length > 0) fail(`unexpected argument '${extra[0]}'\n${USAGE}`);
  const configPath = path.resolve(typeof args['config'] === 'string' ? args['config'] : 'bastion.conf');
  const overrides: Record<string, unknown> = {};
  if (Array.isArray(args['listen']) && args['listen'].length > 0) overrides['listen'] = args['listen'].map(String);
  if (typeof args['data-dir'] === 'string') overrides['dataDir'] = args['data-dir'];
  if (typeof args['hostkeys-dir'] === 'string') overrides['hostKeysDir'] = args['hostkeys-dir'];
  if (typeof args['log-level'] === 'string') overrides['logLevel'] = args['log-level'];
  // A bad value in bastion.conf falls back to its default (The Bastion's rule), but a flag typed
  // on the command line is refused: `--listen nonsense` must not quietly listen on 2222.
  for (const w of validateConfig(overrides).warnings) fail(`invalid command-line value: ${w.replace(/, using the default$/, '')}`);

  if (command === 'serve') {
    for (const k of ['account', 'public-key-file']) if (args[k] !== undefined) fail(`--${k} is not a serve option`);
    // SIGTERM / SIGINT: a graceful stop (shutdownDrainSeconds for what is in progress), exit 0;
    // a second one cuts the drain short. SIGHUP re-reads bastion.conf, as sshd re-reads its own.
    // Handled from before the start: a signal that comes while it starts (the listening line is
    // out already) stops it once started, instead of killing it with the default action.
    let started: Gatehouse | undefined;
    let stopping: NodeJS.Signals | undefined;
    let closing = false;
    const stop = (signal: NodeJS.Signals): void => {
      stopping = signal;
      if (!started) return;
      const gh = started;
      const again = closing;
      closing = true;
      gh.log.info({ signal }, again ? 'signal received again, ending what is left now' : 'signal received, shutting down');
      gh.close().then(
        () => process.exit(0),
        (e: unknown) => {
          gh.log.error({ err: e }, 'shutdown failed');
          gh.log.flush();
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.on('SIGHUP', () => {
      if (!started) return;
      started.log.info({ signal: 'SIGHUP' }, 'signal received, reloading the configuration');
      started.config.reload();
    });
    const gh = await startGatehouse({ configPath, overrides }).catch((e: Error) => fail(e.message, e instanceof ConfigRefusedError ? EXIT.CONFIGURATION_FAILURE : 1));
    if (args['bootstrap-admin']) {
      const boot = await bootstrapAdmin(gh.store, gh.config.current(), gh.keyring, configPath, gh.dataDir, Math.floor(Date.now() / 1000));
      if (boot.code === 'OK' && boot.value) {
        const a = gh.addresses[0];
        const id = boot.value.identityFile ? `-i ${shellWord(boot.value.identityFile)} ` : '';
        const where = a ? `-p ${a.port} ${boot.value.account}@${a.host.includes(':') ? `[${a.host}]` : a.host}` : boot.value.account;
        gh.log.info({ account: boot.value.account, publicKeyFile: boot.value.publicKeyFile }, 'bootstrap admin account created');
        process.stderr.write(
          `\nGatehouse created the admin account '${boot.value.account}' with the key ${boot.value.publicKeyFile}.\nTry:\n  ssh ${id}${where} -- --osh info --json-pretty\n\n`,
        );
      } else if (!isOk(boot)) {
        gh.log.error({ code: boot.code, msg: boot.msg }, 'bootstrap admin account could not be created');
      }
    }
    started = gh;
    if (stopping) stop(stopping);
    return;
  }
  if (command === 'setup-admin') {
    const account = args['account'];
    const keyFile = args['public-key-file'];
    if (typeof account !== 'string' || account === '') fail('setup-admin needs --account NAME');
    if (typeof keyFile !== 'string' || keyFile === '') fail('setup-admin needs --public-key-file FILE');
    let keyText: string;
    try {
      keyText = fs.readFileSync(keyFile, 'utf8');
    } catch (e) {
      fail(`can't read ${keyFile}: ${(e as Error).message}`);
    }
    const log = createLogger('warn', process.stderr);
    const config = fileConfig(configPath, log, overrides).current();
    const store = openStore(path.join(path.resolve(config.dataDir), 'gatehouse.db'));
    try {
      const r = await setupAdmin(store, config, loadKeyring(path.resolve(config.dataDir)), configPath, account, keyText, Math.floor(Date.now() / 1000));
      if (!isOk(r)) fail(`${r.code}: ${r.msg}`, 1);
      process.stdout.write(`Account '${account}' created with key ${r.value?.fingerprint} and added to adminAccounts in ${configPath}\n`);
    } finally {
      store.close();
    }
    return;
  }
  fail(`unknown command '${command}'\n${USAGE}`);
}

main(process.argv.slice(2)).catch((e: unknown) => fail(e instanceof Error ? e.message : String(e), 1));
