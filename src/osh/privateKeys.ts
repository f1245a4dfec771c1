// Private-key material pasted into a command line (a private key given as --public-key, or into
// --comment): found before anything of the call is stored or logged, so that the call can be
// refused with KO_PRIVATE_KEY and its audit row keep none of it. The key may arrive as one quoted
// word or split into many (its lines, once the newlines are blanks), so the markers are looked
// for in the whole command, and a call that has one keeps only its option names in the audit.

/**
 * Markers that only private keys carry: PEM headers (PKCS#1, PKCS#8, SEC1, OpenSSH), the base64 of
 * the OpenSSH format's magic "openssh-key-v1", PuTTY's key file fields, and the base64 openings of
 * unwrapped DER private keys (version 0 then the RSA modulus; PKCS#8 RSA, Ed25519 and EC; SEC1 EC).
 * Case-sensitive, as the formats write them, so that a comment saying "private key" is not one.
 */
const MARKERS: readonly RegExp[] = [
  /PRIVATE KEY/,
  /b3BlbnNzaC1rZXktdjE/,
  /PuTTY-User-Key-File/,
  /Private-Lines:/,
  /Private-MAC:/,
  // KC: a modulus of 256 bytes or more; KB: 129 to 255 (RSA-1024, DSA's p), still private keys.
  /MII[A-Za-z0-9+/]{3}IBAAK[BC]/,
  /IBADANBgkqhkiG9w0BAQEFAAS/,
  /MC4CAQAwBQYDK2Vw/,
  /MEcCAQAwBQYDK2Vx/,
  // PKCS#8 EC: MBMG for P-256's curve identifier, MBAG for P-384's and P-521's shorter ones.
  /AgEAMB[AM]GByqGSM49AgEG/,
  /MHcCAQEEI/,
  /MIGkAgEBBDA/,
  /MIHcAgEBBEI/,
];

export function containsPrivateKey(text: string): boolean {
  return MARKERS.some((m) => m.test(text));
}

/**
 * The command as sent, and its words once unquoted: a marker broken by quotes
 * (`"-----BEGIN OPENSSH PRIV"ATE KEY-----`, `b3Blbn\NzaC1…`) is whole again in its word.
 */
export function commandHasPrivateKey(command: string, words: readonly string[] | null): boolean {
  return containsPrivateKey(command) || (words !== null && containsPrivateKey(words.join(' ')));
}

/** What stands in the audit trail for the words dropped from a call that carried a private key. */
export const PRIVATE_KEY_REMOVED = '[private key material removed]';

/**
 * The words of a call that carried a private key, as the audit trail may keep them: option names
 * (without any `=value`) and the plugin name after --osh; each run of other words becomes one
 * marker. No line of a key starts with a dash, so none can pass for an option name.
 */
export function withoutPrivateKey(words: readonly string[]): string[] {
  const out: string[] = [];
  let previous = '';
  for (const w of words) {
    const option = /^(--?[A-Za-z][A-Za-z0-9-]*)(=.*)?$/.exec(w);
    let kept: string | null = null;
    if (option?.[1]) kept = option[2] === undefined ? option[1] : `${option[1]}=${PRIVATE_KEY_REMOVED}`;
    else if (/^--?osh$/.test(previous) && /^[A-Za-z]{1,40}$/.test(w)) kept = w;
    if (kept !== null) out.push(kept);
    else if (out[out.length - 1] !== PRIVATE_KEY_REMOVED) out.push(PRIVATE_KEY_REMOVED);
    previous = w;
  }
  return out;
}
