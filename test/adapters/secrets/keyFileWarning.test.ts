import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keyFileWarning, loadSecretBox } from '../../../src/adapters/secrets/secretBox';

describe('the start-up warning about the key file', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-keyfile-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('when a live bot (BOT_ID set) uses the key file, then the warning names the file and DATA_ENCRYPTION_KEY from Key Vault', () => {
    const secrets = loadSecretBox({ dataDir: dir });
    const warning = keyFileWarning({ keyFile: secrets.keyFile, liveBot: true });
    expect(warning).toContain(path.join(dir, 'encryption.key'));
    expect(warning).toContain('beside the database in DATA_DIR');
    expect(warning).toContain('set DATA_ENCRYPTION_KEY');
    expect(warning).toContain('Key Vault');
  });

  it('when no BOT_ID is set (local mode), then the key file draws no warning', () => {
    const secrets = loadSecretBox({ dataDir: dir });
    expect(keyFileWarning({ keyFile: secrets.keyFile, liveBot: false })).toBeUndefined();
  });

  it('when DATA_ENCRYPTION_KEY is set, then a live bot draws no warning', () => {
    const secrets = loadSecretBox({ key: Buffer.alloc(32, 7).toString('base64'), dataDir: dir });
    expect(keyFileWarning({ keyFile: secrets.keyFile, liveBot: true })).toBeUndefined();
    expect(fs.existsSync(path.join(dir, 'encryption.key'))).toBe(false);
  });
});
