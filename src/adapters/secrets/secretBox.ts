/**
 * Secrets at rest (the service account's password until it is handed over): AES-256-GCM with a
 * random 96-bit nonce per seal and the owner's id as associated data, so a sealed value copied onto
 * another job does not open. The key comes from `DATA_ENCRYPTION_KEY`, or from a key file made once
 * in `DATA_DIR` (mode 0600) when none is configured — for a local or single-machine trial: the file
 * sits beside the database it protects, so a live bot using it is warned about at start-up.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const VERSION = 'v1';
export const KEY_FILE_NAME = 'encryption.key';

export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('The encryption key must be 32 bytes');
    this.key = Buffer.from(key);
  }

  seal(plain: string, owner: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(owner, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [
      VERSION,
      nonce.toString('base64'),
      cipher.getAuthTag().toString('base64'),
      body.toString('base64'),
    ].join('.');
  }

  /** The plain text; throws when the value was not sealed with this key for this owner. */
  open(sealed: string, owner: string): string {
    const [version, nonce, tag, body] = sealed.split('.');
    if (version !== VERSION || nonce === undefined || tag === undefined || body === undefined)
      throw new Error('Not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64'));
    decipher.setAAD(Buffer.from(owner, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('A sealed secret did not open: wrong key, wrong owner, or damaged');
    }
  }
}

/** The configured key (base64 of 32 bytes), else the key file in `dataDir`, made on first use. */
export function loadSecretBox(options: { key?: string; dataDir: string }): {
  box: SecretBox;
  source: string;
  /** The key file the key was read from; unset when it came from `DATA_ENCRYPTION_KEY`. */
  keyFile?: string;
} {
  if (options.key !== undefined) {
    return { box: new SecretBox(Buffer.from(options.key, 'base64')), source: 'DATA_ENCRYPTION_KEY' };
  }
  const file = path.resolve(options.dataDir, KEY_FILE_NAME);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  return { box: new SecretBox(key), source: `key file ${file}`, keyFile: file };
}

/**
 * The start-up warning for a live Teams bot (`BOT_ID` set) whose key comes from the key file: the
 * file sits beside the database in `DATA_DIR`, so a copy of that folder opens the sealed passwords.
 * None in local mode, nor with `DATA_ENCRYPTION_KEY`.
 */
export function keyFileWarning(options: { keyFile?: string; liveBot: boolean }): string | undefined {
  if (options.keyFile === undefined || !options.liveBot) return undefined;
  return (
    `The key that seals passwords is read from the key file ${options.keyFile}, which sits beside ` +
    'the database in DATA_DIR: anyone with a copy of that folder can open the sealed password. ' +
    'For production, set DATA_ENCRYPTION_KEY, ideally from Azure Key Vault as a Key Vault reference ' +
    'in the app settings.'
  );
}
