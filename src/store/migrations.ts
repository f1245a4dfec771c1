// Numbered schema migrations, in steps of 10. Each runs in one transaction together with the
// user_version bump, so a store is always at a whole version. Never edit a released migration:
// add the next one.
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 10,
    name: 'accounts, ingress keys, command grants, audit',
    sql: `
      CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        uid INTEGER,
        comment TEXT,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        ttl_seconds INTEGER,
        last_activity_at INTEGER,
        last_activity_from TEXT,
        frozen_at INTEGER,
        frozen_by TEXT,
        frozen_reason TEXT
      ) STRICT;
      CREATE UNIQUE INDEX accounts_uid ON accounts(uid) WHERE uid IS NOT NULL;

      -- Per-account flags and settings (The Bastion's account_config): osh_only, always_active, ...
      CREATE TABLE account_settings (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (account_id, key)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE ingress_keys (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        blob BLOB NOT NULL,
        size INTEGER,
        fingerprint TEXT NOT NULL,
        comment TEXT NOT NULL DEFAULT '',
        options TEXT NOT NULL DEFAULT '',
        from_list TEXT,
        created_at INTEGER NOT NULL,
        UNIQUE (account_id, fingerprint)
      ) STRICT;

      CREATE TABLE command_grants (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        command TEXT NOT NULL,
        granted_by TEXT NOT NULL,
        granted_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, command)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        conn_id TEXT NOT NULL,
        call_id TEXT NOT NULL,
        account TEXT NOT NULL,
        peer_ip TEXT NOT NULL,
        peer_port INTEGER NOT NULL,
        kind TEXT NOT NULL,
        plugin TEXT,
        args TEXT NOT NULL,
        error_code TEXT NOT NULL,
        exit_status INTEGER NOT NULL,
        duration_ms REAL NOT NULL
      ) STRICT;
      CREATE INDEX audit_account_at ON audit(account, at);
    `,
  },
  {
    version: 20,
    name: 'personal egress keys',
    // One row per key pair an account uses to reach targets (The Bastion's ~/.ssh/id_*_private.*).
    // The private half is only ever stored sealed by the keyring; the public half is kept in parts
    // so listings never have to touch the private column.
    sql: `
      CREATE TABLE account_egress_keys (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        size INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        base64 TEXT NOT NULL,
        comment TEXT NOT NULL DEFAULT '',
        private_sealed BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (account_id, fingerprint)
      ) STRICT;
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);
