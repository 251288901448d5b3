import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { v4 as uuidv4 } from 'uuid';
import { Db, migrate } from '../store/database';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords';

export interface User {
  id: string;
  name: string;
  email: string | null;
  /** Bytes the user may store; null means the server default applies. */
  storageQuota: number | null;
  created: string;
}

interface UserRow {
  id: string;
  name: string;
  password_hash: string | null;
  email: string | null;
  storage_quota: number | null;
  created: string;
  failed_logins: number;
  locked_until: number;
}

const STEPS = [
  `CREATE TABLE users (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     password_hash TEXT,
     email TEXT,
     storage_quota INTEGER,
     created TEXT NOT NULL,
     failed_logins INTEGER NOT NULL DEFAULT 0,
     locked_until INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE tokens (
     hash TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     created INTEGER NOT NULL,
     expires INTEGER NOT NULL
   );
   CREATE INDEX tokens_user ON tokens(user_id);`,
  // Accounts signed in through OpenID Connect: the issuer and its subject identify the person.
  `CREATE TABLE identities (
     issuer TEXT NOT NULL,
     subject TEXT NOT NULL,
     user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     created TEXT NOT NULL,
     PRIMARY KEY (issuer, subject)
   );
   CREATE INDEX identities_user ON identities(user_id);`,
];

export const USER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;

export type LoginResult =
  | { ok: true; user: User }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number };

export interface LoginPolicy {
  maxFailedLogins: number;
  lockoutSeconds: number;
}

function toUser(row: UserRow): User {
  return { id: row.id, name: row.name, email: row.email, storageQuota: row.storage_quota, created: row.created };
}

function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Accounts and their access tokens, stored in SQLite. Tokens are kept only as SHA-256 hashes. */
export class UserStore {
  constructor(private readonly db: Db) {
    migrate(db, 'users', STEPS);
  }

  list(): User[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY name').all() as UserRow[]).map(toUser);
  }

  findByName(name: string): User | undefined {
    const row = this.db.prepare('SELECT * FROM users WHERE name = ?').get(name) as UserRow | undefined;
    return row && toUser(row);
  }

  findById(id: string): User | undefined {
    const row = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return row && toUser(row);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  async add(name: string, password: string, options: { email?: string; storageQuota?: number } = {}): Promise<User> {
    if (!USER_NAME_PATTERN.test(name)) {
      throw new Error(`user name '${name}' is not allowed: use 1-64 letters, digits, '.', '_', '@' or '-'`);
    }
    if (password.length < 8) throw new Error('the password must have at least 8 characters');
    if (this.findByName(name)) throw new Error(`user '${name}' exists already`);
    const hash = await hashPassword(password);
    const id = uuidv4();
    this.db
      .prepare('INSERT INTO users (id, name, password_hash, email, storage_quota, created) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, name, hash, options.email ?? null, options.storageQuota ?? null, new Date().toISOString());
    return this.findById(id)!;
  }

  remove(name: string): boolean {
    return this.db.prepare('DELETE FROM users WHERE name = ?').run(name).changes > 0;
  }

  async setPassword(name: string, password: string): Promise<void> {
    if (password.length < 8) throw new Error('the password must have at least 8 characters');
    const user = this.findByName(name);
    if (!user) throw new Error(`there is no user '${name}'`);
    const hash = await hashPassword(password);
    this.db.transaction(() => {
      this.db.prepare('UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = 0 WHERE id = ?').run(hash, user.id);
      // A new password ends every session that was opened with the old one.
      this.db.prepare('DELETE FROM tokens WHERE user_id = ?').run(user.id);
    })();
  }

  /** Checks a password, counting failures per account and locking it for a while after too many. */
  async checkLogin(name: string, password: string, policy: LoginPolicy, now = Date.now()): Promise<LoginResult> {
    const row = this.db.prepare('SELECT * FROM users WHERE name = ?').get(name) as UserRow | undefined;
    if (!row || !row.password_hash) {
      await verifyPassword(password, await dummyPasswordHash());
      return { ok: false, reason: 'invalid' };
    }
    if (row.locked_until > now) {
      return { ok: false, reason: 'locked', retryAfterSeconds: Math.ceil((row.locked_until - now) / 1000) };
    }
    if (await verifyPassword(password, row.password_hash)) {
      this.db.prepare('UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = ?').run(row.id);
      return { ok: true, user: toUser(row) };
    }
    const failures = row.failed_logins + 1;
    const lock = failures >= policy.maxFailedLogins;
    this.db
      .prepare('UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?')
      .run(lock ? 0 : failures, lock ? now + policy.lockoutSeconds * 1000 : 0, row.id);
    return { ok: false, reason: 'invalid' };
  }

  /** The account linked to an OpenID Connect identity, if that person signed in before. */
  findByIdentity(issuer: string, subject: string): User | undefined {
    const row = this.db
      .prepare('SELECT users.* FROM identities JOIN users ON users.id = identities.user_id WHERE issuer = ? AND subject = ?')
      .get(issuer, subject) as UserRow | undefined;
    return row && toUser(row);
  }

  /**
   * Creates a password-less account for an OpenID Connect identity, named after `preferredName`
   * with a number appended when that name is taken. Returns the existing account if the identity
   * is linked already, so two simultaneous first logins end up with one account.
   */
  addForIdentity(issuer: string, subject: string, preferredName: string, email: string | null): User {
    return this.db.transaction(() => {
      const existing = this.findByIdentity(issuer, subject);
      if (existing) return existing;
      const name = this.freeName(preferredName);
      const id = uuidv4();
      const now = new Date().toISOString();
      this.db
        .prepare('INSERT INTO users (id, name, password_hash, email, storage_quota, created) VALUES (?, ?, NULL, ?, NULL, ?)')
        .run(id, name, email, now);
      this.db.prepare('INSERT INTO identities (issuer, subject, user_id, created) VALUES (?, ?, ?, ?)').run(issuer, subject, id, now);
      return this.findById(id)!;
    })();
  }

  setEmail(id: string, email: string | null): void {
    this.db.prepare('UPDATE users SET email = ? WHERE id = ?').run(email, id);
  }

  /** `base` made valid as a user name and unique by a numeric suffix. */
  private freeName(base: string): string {
    let stem = base.replace(/[^A-Za-z0-9_.@-]/g, '_').replace(/^[^A-Za-z0-9]+/, '').slice(0, 56);
    if (stem === '') stem = 'user';
    if (!this.findByName(stem)) return stem;
    for (let n = 2; ; n++) {
      const candidate = `${stem}-${n}`;
      if (!this.findByName(candidate)) return candidate;
    }
  }

  /** Creates a random access token; only its hash is stored. */
  issueToken(userId: string, lifetimeSeconds: number, now = Date.now()): string {
    const token = randomBytes(32).toString('base64url');
    this.db
      .prepare('INSERT INTO tokens (hash, user_id, created, expires) VALUES (?, ?, ?, ?)')
      .run(tokenHash(token).toString('hex'), userId, now, now + lifetimeSeconds * 1000);
    this.db.prepare('DELETE FROM tokens WHERE expires < ?').run(now);
    return token;
  }

  /** The user a token belongs to, or undefined when it is unknown or expired. */
  userForToken(token: string, now = Date.now()): User | undefined {
    const hash = tokenHash(token);
    const row = this.db.prepare('SELECT hash, user_id, expires FROM tokens WHERE hash = ?').get(hash.toString('hex')) as
      | { hash: string; user_id: string; expires: number }
      | undefined;
    if (!row || !timingSafeEqual(Buffer.from(row.hash, 'hex'), hash) || row.expires <= now) return undefined;
    return this.findById(row.user_id);
  }
}
