// Accounts written straight into the store (one transaction), so that `accountList --json` is a
// long output for the client that stops reading it.
import type { Store } from '../../src/store/store.js';

export function seedAccounts(store: Store, n: number): void {
  const now = Math.floor(Date.now() / 1000);
  store.tx(() => {
    for (let i = 0; i < n; i++) {
      store.accounts.insert({
        name: `soak${String(i).padStart(6, '0')}`,
        uid: null,
        comment: 'seeded by the soak harness to make a long list',
        createdAt: now,
        createdBy: 'soak',
        ttlSeconds: null,
      });
    }
  });
}
