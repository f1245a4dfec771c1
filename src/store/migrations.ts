// Numbered schema migrations, in steps of 10. Each runs in one transaction together with the
// user_version bump, so a store is always at a whole version. Never edit a released migration:
// add the next one.
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /**
   * Rebuilds a table that others reference (SQLite's ALTER TABLE procedure: create the new table,
   * copy, drop the old one, rename). With foreign keys enforced, dropping the old table would
   * cascade into every table referencing it, so the migration runs with enforcement off and is
   * committed only if `PRAGMA foreign_key_check` then finds nothing.
   */
  readonly rebuildsReferencedTable?: boolean;
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
  {
    version: 30,
    name: 'groups, group roles, access lists, group egress keys',
    // The Bastion keeps groups as unix groups (keyNAME, keyNAME-owner, …), access lists as
    // allowed.ip / allowed.private / allowed.partial.GROUP files and group keys under
    // /home/keykeeper: here they are rows. An ACL entry's address is kept as text for display and
    // as fixed-width network/broadcast blobs (4 bytes for IPv4, 16 for IPv6) so that "which
    // entries contain this IP" is a handful of index probes, not a scan.
    sql: `
      CREATE TABLE groups (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL
      ) STRICT;

      -- Per-group policy (The Bastion's group_config): guest_ttl_limit, idle_lock_timeout, ...
      CREATE TABLE group_settings (
        group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (group_id, key)
      ) STRICT, WITHOUT ROWID;

      -- member and guest exclude each other; owner, gatekeeper and aclkeeper add to either.
      CREATE TABLE group_roles (
        group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('owner', 'gatekeeper', 'aclkeeper', 'member', 'guest')),
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        added_by TEXT NOT NULL,
        added_at INTEGER NOT NULL,
        PRIMARY KEY (group_id, role, account_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX group_roles_by_account ON group_roles(account_id, role, group_id);

      CREATE TABLE acl_entries (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('personal', 'group', 'guest')),
        account_id INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
        group_id INTEGER REFERENCES groups(id) ON DELETE CASCADE,
        ip TEXT NOT NULL,
        family INTEGER NOT NULL CHECK (family IN (4, 6)),
        prefix_len INTEGER NOT NULL,
        range_start BLOB NOT NULL,
        range_end BLOB NOT NULL,
        user TEXT,
        port INTEGER CHECK (port IS NULL OR port BETWEEN 1 AND 65535),
        protocol TEXT CHECK (protocol IS NULL OR protocol IN ('scpupload', 'scpdownload', 'sftp', 'rsync')),
        comment TEXT,
        expires_at INTEGER,
        force_key TEXT,
        force_password TEXT,
        added_by TEXT NOT NULL,
        added_at INTEGER NOT NULL,
        CHECK (user IS NULL OR protocol IS NULL),
        CHECK (length(range_start) = length(range_end) AND length(range_start) = CASE family WHEN 4 THEN 4 ELSE 16 END),
        CHECK (
          (kind = 'personal' AND account_id IS NOT NULL AND group_id IS NULL) OR
          (kind = 'group' AND group_id IS NOT NULL AND account_id IS NULL) OR
          (kind = 'guest' AND group_id IS NOT NULL AND account_id IS NOT NULL)
        )
      ) STRICT;
      CREATE INDEX acl_by_range ON acl_entries(family, range_start, range_end);
      CREATE INDEX acl_by_group ON acl_entries(group_id, kind, account_id);
      CREATE INDEX acl_by_account ON acl_entries(account_id, kind, group_id);

      CREATE TABLE group_egress_keys (
        id INTEGER PRIMARY KEY,
        group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        size INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        base64 TEXT NOT NULL,
        comment TEXT NOT NULL DEFAULT '',
        private_sealed BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (group_id, fingerprint)
      ) STRICT;
    `,
  },
  {
    version: 40,
    name: 'egress host keys and sessions',
    // egress_host_keys replaces The Bastion's per-account ~/.ssh/known_hosts (trust on first use);
    // sessions replaces its access log of ssh connections, and points at each asciicast recording.
    // A session outlives its account (account_id set to NULL) so the trail survives a deletion.
    sql: `
      CREATE TABLE egress_host_keys (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        host TEXT NOT NULL,
        port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
        type TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        blob BLOB NOT NULL,
        first_seen_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, host, port, type)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX egress_host_keys_by_target ON egress_host_keys(host, port);

      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
        account TEXT NOT NULL,
        conn_id TEXT NOT NULL,
        peer_ip TEXT NOT NULL,
        peer_port INTEGER NOT NULL,
        via_ip TEXT,
        via_port INTEGER,
        target_user TEXT NOT NULL,
        target_host TEXT NOT NULL,
        target_ip TEXT NOT NULL,
        target_port INTEGER NOT NULL,
        allowed INTEGER NOT NULL CHECK (allowed IN (0, 1)),
        pty INTEGER NOT NULL CHECK (pty IN (0, 1)),
        command TEXT,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        exit_status INTEGER,
        exit_signal TEXT,
        comment TEXT,
        bytes_up INTEGER NOT NULL DEFAULT 0,
        bytes_down INTEGER NOT NULL DEFAULT 0,
        recording TEXT
      ) STRICT;
      CREATE INDEX sessions_by_account ON sessions(account_id, started_at);
    `,
  },
  {
    version: 50,
    name: 'account ids are never reused',
    // accounts.id was a plain INTEGER PRIMARY KEY: SQLite gives a new row max(id) + 1, so deleting
    // the newest account handed its id to the next one created, and anything still holding the old
    // id (a logged-in connection) became the new account. AUTOINCREMENT keeps the highest id ever
    // given in sqlite_sequence and never goes below it, whatever is deleted; it is SQLite's own
    // guarantee for every insert, which a separate sequence table would only be for the inserts
    // that remember to use it. The table is rebuilt (SQLite can't add AUTOINCREMENT in place) with
    // its rows, ids and index; the tables that reference it (account_settings, ingress_keys,
    // command_grants, account_egress_keys, group_roles, acl_entries, egress_host_keys, sessions)
    // refer to it by name and keep their rows. Ids deleted before this migration are not known any
    // more and may be given once again: nothing can hold them, the server restarted to migrate.
    rebuildsReferencedTable: true,
    sql: `
      CREATE TABLE accounts_rebuilt (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
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
      INSERT INTO accounts_rebuilt (id, name, uid, comment, created_at, created_by, ttl_seconds, last_activity_at,
          last_activity_from, frozen_at, frozen_by, frozen_reason)
        SELECT id, name, uid, comment, created_at, created_by, ttl_seconds, last_activity_at,
          last_activity_from, frozen_at, frozen_by, frozen_reason FROM accounts;
      DROP TABLE accounts;
      ALTER TABLE accounts_rebuilt RENAME TO accounts;
      CREATE UNIQUE INDEX accounts_uid ON accounts(uid) WHERE uid IS NOT NULL;
    `,
  },
  {
    version: 60,
    name: 'command allow-lists',
    // The commands a robot account may run on its targets (Gatehouse's own: The Bastion has none).
    // An account with at least one row is command-restricted; a rule with a group_id applies only
    // to connections granted through that group, and goes with the group when it is deleted.
    // A UNIQUE constraint counts NULLs as distinct, so the rules without a group get a partial
    // unique index of their own. The pattern is stored in the form formatPattern gives it
    // (src/policy/commandAllowList.ts), so one rule can't be stored twice spelled two ways.
    sql: `
      CREATE TABLE allowed_commands (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        pattern TEXT NOT NULL,
        group_id INTEGER REFERENCES groups(id) ON DELETE CASCADE,
        added_by TEXT NOT NULL,
        added_at INTEGER NOT NULL,
        UNIQUE (account_id, pattern, group_id)
      ) STRICT;
      CREATE UNIQUE INDEX allowed_commands_unscoped ON allowed_commands(account_id, pattern) WHERE group_id IS NULL;
      CREATE INDEX allowed_commands_by_group ON allowed_commands(group_id);
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);
