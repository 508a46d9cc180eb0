import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Role, Session } from '../src-shared/api/session.js';
import { ApiError } from './errors.js';
import { nowIso, nameKey, newId, type Store } from './store.js';

/** Who is calling a management route. */
export interface Principal {
  userId: string;
  username: string;
  role: Role;
  resellerId: string | null;
}

const SCRYPT: ScryptOptions = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const LOCKOUT_FAILURES = 5;
const LOCKOUT_WINDOW_MS = 5 * 60 * 1000;

const scryptAsync = (password: string, salt: Buffer) =>
  new Promise<Buffer>((resolve, reject) => scrypt(password, salt, KEY_LENGTH, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))));

/** `scrypt$N$r$p$salt$hash`, so the cost can be raised later without breaking stored hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await new Promise<Buffer>((resolve, reject) =>
    scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem }, (err, k) =>
      err ? reject(err) : resolve(k),
    ),
  );
  return timingSafeEqual(key, expected);
}

/** Tokens are 256 random bits; only their SHA-256 is stored, so a copied database holds no usable token. */
export const newToken = () => randomBytes(32).toString('base64url');
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  role: Role;
  reseller_id: string | null;
}

// A real hash of a random password: verifying against it costs the same as against a real user's hash,
// so the response time does not tell whether a username exists.
const DUMMY_HASH = hashPassword(randomBytes(16).toString('hex'));

export class Auth {
  /** Failed login times per username key; in memory, since a restart ending a lockout early is harmless. */
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly store: Store) {}

  async login(username: string, password: string): Promise<Session> {
    const key = nameKey(username);
    const now = Date.now();
    const recent = (this.failures.get(key) ?? []).filter((t) => now - t < LOCKOUT_WINDOW_MS);
    if (recent.length >= LOCKOUT_FAILURES) {
      const retryAfter = Math.ceil((recent[0]! + LOCKOUT_WINDOW_MS - now) / 1000);
      throw new ApiError('RATE_LIMITED', `Too many failed sign-ins for this user; try again in ${retryAfter} seconds.`, { retryAfterSeconds: retryAfter });
    }
    const user = this.store.get<UserRow>('SELECT * FROM users WHERE username_key = ?', key);
    const ok = await verifyPassword(password, user?.password_hash ?? (await DUMMY_HASH));
    if (!user || !ok) {
      recent.push(now);
      this.failures.set(key, recent);
      throw new ApiError('UNAUTHENTICATED', 'Wrong username or password.');
    }
    this.failures.delete(key);
    const token = newToken();
    const expiresAt = nowIso(now + SESSION_TTL_MS);
    this.store.write(() => this.store.run('INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (?, ?, ?)', hashToken(token), user.id, expiresAt));
    return { token, role: user.role, resellerId: user.reseller_id, expiresAt };
  }

  logout(token: string): void {
    this.store.write(() => this.store.run('DELETE FROM sessions WHERE token_hash = ?', hashToken(token)));
  }

  /** The principal behind a session token, or null when it is unknown or expired. */
  authenticate(token: string): Principal | null {
    const row = this.store.get<UserRow & { expires_at: string }>(
      'SELECT u.*, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?',
      hashToken(token),
    );
    if (!row || row.expires_at <= nowIso()) return null;
    return { userId: row.id, username: row.username, role: row.role, resellerId: row.reseller_id };
  }

  /** Call inside `store.write`. */
  createUser(username: string, passwordHash: string, role: Role, resellerId: string | null): void {
    this.store.run(
      'INSERT INTO users (id, username_key, username, password_hash, role, reseller_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      newId('usr'),
      nameKey(username),
      username,
      passwordHash,
      role,
      resellerId,
      nowIso(),
    );
  }

  purgeExpiredSessions(): number {
    return this.store.write(() => this.store.run('DELETE FROM sessions WHERE expires_at <= ?', nowIso()).changes);
  }
}
