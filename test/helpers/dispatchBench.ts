// A dispatcher's services over a real SQLite store holding one account, alice: what unit tests
// that drive runCall directly (no SSH) start from. The services are the real ones main.ts builds
// (group roles from the store, the recorder thread, the live registry); close() lets them go.
import assert from 'node:assert/strict';
import { createAccount } from '../../src/accounts/create.js';
import { groupRoleCheck } from '../../src/access/groupRoles.js';
import { createLiveSessions } from '../../src/services/liveSessions.js';
import type { Services } from '../../src/dispatch/callTypes.js';
import { fixedConfig } from '../../src/config/source.js';
import { keyringFromKey } from '../../src/services/keyring.js';
import { createRecorderPool } from '../../src/services/recorder.js';
import type { AnyPlugin } from '../../src/osh/define.js';
import type { AccountRow } from '../../src/store/accounts.js';
import { openStore, type Store } from '../../src/store/store.js';

export interface DispatchBench {
  readonly store: Store;
  readonly svc: Services;
  readonly account: AccountRow;
  /** Stops the recorder thread and closes the store. */
  close(): Promise<void>;
}

/** A store at `dbFile` with alice in it, and the services runCall needs, serving `plugins`. */
export function dispatchBench(dbFile: string, plugins: ReadonlyMap<string, AnyPlugin>): DispatchBench {
  const store = openStore(dbFile);
  const config = fixedConfig({ bastionName: 'unit' });
  const made = createAccount(store, config.current(), {
    name: 'alice',
    uid: 'auto',
    comment: null,
    createdBy: 'test',
    ttlSeconds: null,
    keys: [],
    settings: {},
    nowSec: Math.floor(Date.now() / 1000),
  });
  assert.equal(made.code, 'OK', made.msg);
  const account = store.accounts.byName('alice');
  assert.ok(account);
  const svc: Services = {
    store,
    config,
    keyring: keyringFromKey(Buffer.alloc(32, 3)),
    plugins,
    clock: { now: () => Date.now() },
    hostname: 'unit-host',
    version: '0.0.0-test',
    groupRoles: groupRoleCheck(store),
    recorder: createRecorderPool(),
    liveSessions: createLiveSessions(),
  };
  return {
    store,
    svc,
    account,
    async close() {
      await svc.recorder.stop();
      store.close();
    },
  };
}
