// The old plugin names The Bastion still answers to. Kept apart from the dispatcher because the
// docs generator lists them too, and a table is not dispatch logic.

/** Old plugin names The Bastion still answers to (bin/shell/osh.pl, %legacy2new). */
export const LEGACY_NAMES: Readonly<Record<string, string>> = {
  accountAddFullGroupAccess: 'groupAddMember',
  accountDelFullGroupAccess: 'groupDelMember',
  accountAddPartialGroupAccess: 'groupAddGuestAccess',
  accountDelPartialGroupAccess: 'groupDelGuestAccess',
  accountListPartialGroupAccess: 'groupListGuestAccesses',
  selfListKeys: 'selfListIngressKeys',
  selfAddKey: 'selfAddIngressKey',
  selfDelKey: 'selfDelIngressKey',
  selfListBastionKeys: 'selfListEgressKeys',
  selfGenerateBastionKey: 'selfGenerateEgressKey',
  selfAddPrivateAccess: 'selfAddPersonalAccess',
  selfDelPrivateAccess: 'selfDelPersonalAccess',
  accountAddPrivateAccess: 'accountAddPersonalAccess',
  accountDelPrivateAccess: 'accountDelPersonalAccess',
  accountListBastionKeys: 'accountListEgressKeys',
  accountListKeys: 'accountListIngressKeys',
  accountResetKeys: 'accountResetIngressKeys',
  helloWorld: 'info',
  groupGenerateEgressPassword: 'groupGeneratePassword',
  groupListEgressPasswords: 'groupListPasswords',
  selfListEgressPasswords: 'selfListPasswords',
};
