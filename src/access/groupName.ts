// Group names, as The Bastion's is_valid_group (groupType "key", lib/perl/OVH/Bastion/allowkeeper.inc)
// judges them, and naming an existing group in a plugin option. The Bastion's unix group for a
// bastion group is "key" + name, so a name given as "keyNAME" means NAME (and groupCreate refuses
// names starting with "key"); the 32-character unix limit leaves 18 characters for the name.
import { isOk, R, type Result } from '../kernel/result.js';
import type { GroupRow } from '../store/groups.js';
import type { Store } from '../store/store.js';

export function checkGroupName(input: string | undefined): Result<string> {
  if (!input) return R('ERR_MISSING_PARAMETER', { msg: "Missing parameter 'group'" });
  const sys = input.startsWith('key') ? input : `key${input}`;
  if (/keeper$/i.test(sys) || /owner$/i.test(sys) || /-tty$/i.test(sys)) {
    return R('KO_FORBIDDEN_SUFFIX', { msg: 'Forbidden suffix in group name' });
  }
  if (/^(key)?(private|root|user|self|legacy|osh)(-(gatekeeper|aclkeeper|owner))?$/.test(sys)) {
    return R('KO_FORBIDDEN_NAME', { msg: 'Forbidden group name' });
  }
  if (!/^[a-zA-Z0-9._-]+$/.test(sys)) return R('KO_FORBIDDEN_NAME', { msg: 'Group name contains invalid characters' });
  const name = sys.slice(3);
  if (sys.length > 32 || name.length > 18) return R('KO_NAME_TOO_LONG', { msg: 'Group name is too long (limit is 18 chars)' });
  if (name.length === 0) return R('KO_FORBIDDEN_NAME', { msg: 'Forbidden group name' });
  return R('OK', { value: name });
}

/** is_valid_group_and_existing: the name rules, then KO_GROUP_NOT_FOUND. */
export function findGroup(store: Store, input: string | undefined): Result<GroupRow> {
  const valid = checkGroupName(input);
  if (!isOk(valid)) return R(valid.code, { msg: valid.msg });
  const row = store.groups.byName(valid.value);
  if (!row) {
    return R('KO_GROUP_NOT_FOUND', { msg: `The bastion group '${valid.value}' doesn't exist.\nYou may use groupList --all to see all existing groups.` });
  }
  return R('OK', { value: row });
}
