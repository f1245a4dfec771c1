// The records the rules read: accounts, access-list entries, group roles and the public half of
// an egress key. Their shapes are the store's rows; they are declared here, below the store, so
// that a rule names what it reads without importing the module that reads it (src/store/ imports
// these types and returns them).

export interface AccountRow {
  readonly id: number;
  readonly name: string;
  readonly uid: number | null;
  readonly comment: string | null;
  readonly created_at: number;
  readonly created_by: string;
  readonly ttl_seconds: number | null;
  readonly last_activity_at: number | null;
  readonly last_activity_from: string | null;
  readonly frozen_at: number | null;
  readonly frozen_by: string | null;
  readonly frozen_reason: string | null;
}

export type AclKind = 'personal' | 'group' | 'guest';
export type AclProtocol = 'scpupload' | 'scpdownload' | 'sftp' | 'rsync';

export interface AclRow {
  readonly id: number;
  readonly kind: AclKind;
  readonly account_id: number | null;
  readonly group_id: number | null;
  readonly ip: string;
  readonly family: 4 | 6;
  readonly prefix_len: number;
  readonly range_start: Buffer;
  readonly range_end: Buffer;
  readonly user: string | null;
  readonly port: number | null;
  readonly protocol: AclProtocol | null;
  readonly comment: string | null;
  readonly expires_at: number | null;
  readonly force_key: string | null;
  readonly force_password: string | null;
  readonly added_by: string;
  readonly added_at: number;
}

/**
 * An entry as listings use it: without the range blobs, which cost more to fetch (a Buffer each)
 * than the rest of the row, and which only matching needs.
 */
export type AclView = Omit<AclRow, 'range_start' | 'range_end'>;

/** Whose list an entry belongs to. */
export type AclOwner =
  | { readonly kind: 'personal'; readonly accountId: number }
  | { readonly kind: 'group'; readonly groupId: number }
  | { readonly kind: 'guest'; readonly accountId: number; readonly groupId: number };

export type GroupRole = 'owner' | 'gatekeeper' | 'aclkeeper' | 'member' | 'guest';

export interface AccountGroupRole {
  readonly group_id: number;
  readonly group: string;
  readonly role: GroupRole;
}

export interface RoleHolder {
  readonly account_id: number;
  readonly name: string;
}

/** The public half of an egress key pair, as the decision and listings read it. */
export interface KeyPairRow {
  readonly id: number;
  /** The SSH key type, e.g. ssh-ed25519 or ecdsa-sha2-nistp521. */
  readonly type: string;
  readonly size: number;
  readonly fingerprint: string;
  readonly base64: string;
  readonly comment: string;
  readonly created_at: number;
}
