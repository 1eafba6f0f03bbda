/**
 * Where a Key Vault hand-over put the password, in the words of its audit record: written when the
 * password is handed over, read back when its ready card is drawn again.
 */
export interface KeyVaultPlace {
  vaultUrl: string;
  name: string;
  version: string;
  expiresOn: string;
}

/** The audit detail of a Key Vault hand-over. */
export function keyVaultDetail(place: KeyVaultPlace): string {
  return `Key Vault ${place.vaultUrl}, secret ${place.name}, version ${place.version}, expires ${place.expiresOn}`;
}

/** The place a hand-over's audit detail names; undefined for any other text. */
export function keyVaultPlaceOf(detail: string | undefined): KeyVaultPlace | undefined {
  const found = /^Key Vault (\S+), secret (\S+), version (\S+), expires (\S+)$/.exec(detail ?? '');
  return found === null
    ? undefined
    : { vaultUrl: found[1], name: found[2], version: found[3], expiresOn: found[4] };
}
