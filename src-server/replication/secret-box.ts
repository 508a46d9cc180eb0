import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

const KEY_FILE = 'credentials.key';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = 'v1:';

/**
 * The server's encrypted credential store: secrets it must use later (the passwords it signs in to
 * replication servers with) are kept as AES-256-GCM ciphertext; the key is a file of the data dir, mode
 * 0600, created on first use. A copy of the database alone reveals no password.
 */
export class SecretBox {
  private key: Buffer | null = null;

  constructor(private readonly dataDir: string) {}

  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keyBytes(), iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  open(sealed: string): string {
    if (!sealed.startsWith(PREFIX)) throw new Error('a stored credential is not in a known format');
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.keyBytes(), raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`a stored credential cannot be decrypted: ${KEY_FILE} in the data dir is not the key it was stored with`);
    }
  }

  private keyBytes(): Buffer {
    if (this.key) return this.key;
    const file = path.join(this.dataDir, KEY_FILE);
    try {
      this.key = readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.key = createKey(file);
    }
    if (this.key.length !== KEY_BYTES) throw new Error(`${file} is not a ${KEY_BYTES}-byte key`);
    return this.key;
  }
}

/** Writes a new key to a temp file and links it into place, so two starts never end up with two keys. */
function createKey(file: string): Buffer {
  const key = randomBytes(KEY_BYTES);
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, key);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, file);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readFileSync(file);
  } finally {
    rmSync(temp, { force: true });
  }
}
