import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { expectMatchesSpec } from '../helpers/openapi';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ auth: { maxFailedLogins: 3, lockoutSeconds: 60 } });
  await server.ctx.users.add('alice', 'correct horse battery');
});
afterAll(() => server.close());

const basic = (name: string, password: string) => `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;

describe('GET /credentials/basic', () => {
  test('returns a token and the user id for correct credentials', async () => {
    const res = await request(server.app).get('/credentials/basic').set('Authorization', basic('alice', 'correct horse battery'));
    expect(res.status).toBe(200);
    expectMatchesSpec('/credentials/basic', 'get', res);
    expect(res.body.user_id).toBe(server.ctx.users.findByName('alice')!.id);
    expect(res.body.access_token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
  });

  test('missing credentials are 401 AuthenticationRequired', async () => {
    const res = await request(server.app).get('/credentials/basic');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('AuthenticationRequired');
  });

  test('another scheme is 403 AuthenticationSchemeInvalid', async () => {
    const res = await request(server.app).get('/credentials/basic').set('Authorization', 'Digest username="alice"');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('AuthenticationSchemeInvalid');
  });

  test('a wrong password or unknown user is 403 CredentialsInvalid', async () => {
    for (const header of [basic('alice', 'wrong password!'), basic('mallory', 'whatever123'), 'Basic bm9jb2xvbg==']) {
      const res = await request(server.app).get('/credentials/basic').set('Authorization', header);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('CredentialsInvalid');
    }
    // Those failures were for alice once; a good login resets her counter.
    expect((await request(server.app).get('/credentials/basic').set('Authorization', basic('alice', 'correct horse battery'))).status).toBe(200);
  });

  test('repeated failures lock the account for a while, even for the right password', async () => {
    await server.ctx.users.add('bob', 'bobs password 1');
    for (let i = 0; i < 3; i++) {
      const res = await request(server.app).get('/credentials/basic').set('Authorization', basic('bob', 'guess ' + i));
      expect(res.body.code).toBe('CredentialsInvalid');
    }
    const locked = await request(server.app).get('/credentials/basic').set('Authorization', basic('bob', 'bobs password 1'));
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.body.message).toMatch(/try again in \d+ seconds/);
    // Once the lock has expired, the right password works again.
    const later = Date.now() + 61_000;
    const result = await server.ctx.users.checkLogin('bob', 'bobs password 1', { maxFailedLogins: 3, lockoutSeconds: 60 }, later);
    expect(result.ok).toBe(true);
  });
});

describe('bearer tokens', () => {
  let token: string;
  beforeAll(async () => {
    const res = await request(server.app).get('/credentials/basic').set('Authorization', basic('alice', 'correct horse battery'));
    token = res.body.access_token;
  });

  test('GET /me works with the API 1.2 form and the plain form', async () => {
    for (const header of [`Bearer basic//${token}`, `Bearer ${token}`]) {
      const res = await request(server.app).get('/me').set('Authorization', header);
      expect(res.status).toBe(200);
      expectMatchesSpec('/me', 'get', res);
      expect(res.body).toMatchObject({ user_id: server.ctx.users.findByName('alice')!.id, name: 'alice' });
      expect(res.body.storage).toEqual({ free: server.ctx.config.auth.defaultStorageQuotaBytes, quota: server.ctx.config.auth.defaultStorageQuotaBytes });
    }
  });

  test('GET /me reports the space the user already uses', async () => {
    const alice = server.ctx.users.findByName('alice')!;
    const dir = path.join(server.dataDir, 'workspace', alice.id, 'sub');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'a.bin'), Buffer.alloc(1500));
    const res = await request(server.app).get('/me').set('Authorization', `Bearer basic//${token}`);
    expect(res.body.storage.free).toBe(res.body.storage.quota - 1500);
    fs.rmSync(path.join(server.dataDir, 'workspace'), { recursive: true });
  });

  test.each([
    ['no header', undefined, 401, 'AuthenticationRequired'],
    ['a Basic header', basic('alice', 'correct horse battery'), 403, 'AuthenticationSchemeInvalid'],
    ['an unknown token', 'Bearer basic//not-a-token', 403, 'TokenInvalid'],
    ['an empty token', 'Bearer basic//', 403, 'TokenInvalid'],
    ['an OIDC token on a server without OIDC', 'Bearer oidc/egi/abc', 403, 'AuthenticationSchemeInvalid'],
  ])('%s is refused with the spec error', async (_what, header, status, code) => {
    const req = request(server.app).get('/me');
    if (header) req.set('Authorization', header);
    const res = await req;
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
  });

  test('an expired token is TokenInvalid', async () => {
    const alice = server.ctx.users.findByName('alice')!;
    const old = server.ctx.users.issueToken(alice.id, 60, Date.now() - 120_000);
    const res = await request(server.app).get('/me').set('Authorization', `Bearer basic//${old}`);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('TokenInvalid');
  });

  test('tokens and passwords are stored only as hashes', () => {
    const tokens = server.ctx.db.prepare('SELECT hash FROM tokens').all() as Array<{ hash: string }>;
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.map((t) => t.hash)).not.toContain(token);
    const row = server.ctx.db.prepare("SELECT password_hash FROM users WHERE name = 'alice'").get() as { password_hash: string };
    expect(row.password_hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$/);
    expect(row.password_hash).not.toContain('correct horse');
  });

  test('changing the password revokes existing tokens', async () => {
    await server.ctx.users.add('carol', 'carols password');
    const header = await server.login('carol', 'carols password');
    expect((await request(server.app).get('/me').set('Authorization', header)).status).toBe(200);
    await server.ctx.users.setPassword('carol', 'a brand new one');
    expect((await request(server.app).get('/me').set('Authorization', header)).body.code).toBe('TokenInvalid');
  });
});
