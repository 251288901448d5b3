import http from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { loadConfig, ConfigError } from '../../src/config/load';
import { OidcAuthenticator } from '../../src/auth/oidc/OidcAuthenticator';
import { prepare } from '../../src/server';
import { expectMatchesSpec } from '../helpers/openapi';
import { TestServer, startTestServer } from '../helpers/testServer';
import { TestIdp, TestKey, hmacWithPublicKey, makeKey, signJwt, unsignedJwt } from './testIdp';

const now = () => Math.floor(Date.now() / 1000);

let idp: TestIdp;
let rsa: TestKey;
let ec: TestKey;
let server: TestServer;

function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: idp.issuer,
    sub: 'sub-alice',
    aud: ['openeo', 'account'],
    exp: now() + 300,
    iat: now(),
    preferred_username: 'alice',
    email: 'alice@uni.example',
    email_verified: true,
    ...extra,
  };
}

function provider(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'uni', issuer: idp.issuer, title: 'University login', access: { open: true }, ...extra };
}

function me(app: TestServer['app'], header: string) {
  return request(app).get('/me').set('Authorization', header);
}

beforeAll(async () => {
  idp = await new TestIdp().start();
  rsa = makeKey('rsa-1', 'RS256');
  ec = makeKey('ec-1', 'ES256');
  idp.keys = [rsa, ec];
  server = await startTestServer({
    oidc: {
      providers: [
        provider({
          scopes: ['openid', 'profile', 'email'],
          description: 'Sign in with your university account.',
          audience: ['openeo'],
          default_clients: [
            {
              id: 'openeo-public',
              grant_types: ['authorization_code+pkce', 'urn:ietf:params:oauth:grant-type:device_code+pkce', 'refresh_token'],
              redirect_urls: ['https://editor.openeo.org/', 'http://localhost:1410/'],
            },
          ],
        }),
      ],
      jwksMinRefreshSeconds: 0,
    },
  });
});

afterAll(async () => {
  server.close();
  await idp.stop();
});

describe('GET /credentials/oidc', () => {
  test('lists the configured provider as the spec describes, without our own settings', async () => {
    const res = await request(server.app).get('/credentials/oidc');
    expect(res.status).toBe(200);
    expectMatchesSpec('/credentials/oidc', 'get', res);
    expect(res.body).toEqual({
      providers: [
        {
          id: 'uni',
          issuer: idp.issuer,
          title: 'University login',
          description: 'Sign in with your university account.',
          scopes: ['openid', 'profile', 'email'],
          default_clients: [
            {
              id: 'openeo-public',
              grant_types: ['authorization_code+pkce', 'urn:ietf:params:oauth:grant-type:device_code+pkce', 'refresh_token'],
              redirect_urls: ['https://editor.openeo.org/', 'http://localhost:1410/'],
            },
          ],
        },
      ],
    });
  });

  test('without providers the endpoint is neither advertised nor served, so clients offer Basic only', async () => {
    const withOidc = await request(server.app).get('/');
    expect(withOidc.body.endpoints).toContainEqual({ path: '/credentials/oidc', methods: ['GET'] });
    const plain = await startTestServer();
    try {
      const capabilities = await request(plain.app).get('/');
      expect(capabilities.body.endpoints.map((e: { path: string }) => e.path)).not.toContain('/credentials/oidc');
      const oidc = await request(plain.app).get('/credentials/oidc');
      expect(oidc.status).toBe(404);
      expect(oidc.body.code).toBe('NotFound');
    } finally {
      plain.close();
    }
  });
});

describe('JWT access tokens', () => {
  const algorithms: [string, () => TestKey][] = [
    ['RS256', () => rsa],
    ['ES256', () => ec],
  ];

  test.each(algorithms)('a valid %s token is accepted with the 1.2 prefix and as a plain 1.3 Bearer token', async (_alg, key) => {
    const token = signJwt(key(), claims());
    const prefixed = await me(server.app, `Bearer oidc/uni/${token}`);
    expect(prefixed.status).toBe(200);
    expectMatchesSpec('/me', 'get', prefixed);
    expect(prefixed.body).toMatchObject({ name: 'alice', email: 'alice@uni.example' });
    const plain = await me(server.app, `Bearer ${token}`);
    expect(plain.status).toBe(200);
    expect(plain.body.user_id).toBe(prefixed.body.user_id);
  });

  test('PS256 and ES384 keys are accepted too', async () => {
    const ps = makeKey('ps-1', 'PS256');
    const es384 = makeKey('es384-1', 'ES384');
    idp.keys = [rsa, ec, ps, es384];
    for (const key of [ps, es384]) {
      const res = await me(server.app, `Bearer oidc/uni/${signJwt(key, claims())}`);
      expect(res.status).toBe(200);
      expect(res.body.name).toBe('alice');
    }
    idp.keys = [rsa, ec];
  });

  test.each([
    ['an expired token', () => signJwt(rsa, claims({ exp: now() - 3600 }))],
    ['a token not valid yet', () => signJwt(rsa, claims({ nbf: now() + 3600 }))],
    ['a token without expiry', () => signJwt(rsa, claims({ exp: undefined }))],
    ['a token of another issuer', () => signJwt(rsa, claims({ iss: 'https://idp.other.example' }))],
    ['a token for another audience', () => signJwt(rsa, claims({ aud: 'some-other-app' }))],
    ['a token without subject', () => signJwt(rsa, claims({ sub: undefined }))],
    ['a token signed by a key the provider does not publish', () => signJwt({ ...makeKey('rsa-1', 'RS256') }, claims())],
    ['a token whose claims were changed after signing', () => {
      const [head, , sig] = signJwt(rsa, claims()).split('.');
      return `${head}.${Buffer.from(JSON.stringify(claims({ sub: 'sub-admin' }))).toString('base64url')}.${sig}`;
    }],
    ["an unsigned token (alg 'none')", () => unsignedJwt(claims())],
    ['an HS256 token keyed with the public key', () => hmacWithPublicKey(rsa, claims())],
    ['an ES256 token claiming to be RS256', () => signJwt(ec, claims(), { alg: 'RS256', kid: 'rsa-1' })],
    ['a token with critical header extensions', () => signJwt(rsa, claims(), { crit: ['exp'] })],
    ['a token of an unknown key id', () => signJwt(makeKey('nobody', 'RS256'), claims())],
  ])('%s is refused with 403 TokenInvalid', async (_what, make) => {
    const token = make();
    for (const header of [`Bearer oidc/uni/${token}`, `Bearer ${token}`]) {
      const res = await me(server.app, header);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('TokenInvalid');
      expectMatchesSpec('/me', 'get', res);
    }
  });

  test.each([
    ['an unknown provider id', () => `Bearer oidc/nope/${signJwt(rsa, claims())}`, 403, 'TokenInvalid'],
    ['a prefix without token', () => 'Bearer oidc/uni', 403, 'TokenInvalid'],
    ['an empty token', () => 'Bearer oidc/uni/', 403, 'TokenInvalid'],
    ['three dots of nonsense', () => 'Bearer oidc/uni/a.b.c', 403, 'TokenInvalid'],
    ['JSON that is no JWT', () => `Bearer oidc/uni/${Buffer.from('[1]').toString('base64url')}.e30.`, 403, 'TokenInvalid'],
    ['a huge token', () => `Bearer oidc/uni/${'x'.repeat(10_000)}`, 403, 'TokenInvalid'],
    ['characters no bearer token has', () => 'Bearer oidc/uni/%00{}"', 403, 'TokenInvalid'],
    ['the token in a Basic header', () => `Basic ${signJwt(rsa, claims())}`, 403, 'AuthenticationSchemeInvalid'],
  ])('%s is refused without a server error', async (_what, header, status, code) => {
    const res = await me(server.app, header());
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
  });

  test('after a key rotation the new key is fetched for its unknown kid', async () => {
    const rotated = makeKey('rsa-2', 'RS256');
    idp.keys = [rotated, ec];
    const before = idp.calls.jwks;
    const res = await me(server.app, `Bearer oidc/uni/${signJwt(rotated, claims())}`);
    expect(res.status).toBe(200);
    expect(idp.calls.jwks).toBe(before + 1);
    // The retired key no longer counts once the new set is loaded.
    const old = await me(server.app, `Bearer oidc/uni/${signJwt(rsa, claims())}`);
    expect(old.status).toBe(403);
    idp.keys = [rsa, ec];
  });

  test('unknown key ids do not make the server download the key set again and again', async () => {
    const limited = await startTestServer({ oidc: { providers: [provider()], jwksMinRefreshSeconds: 3600 } });
    try {
      expect((await me(limited.app, `Bearer ${signJwt(rsa, claims())}`)).status).toBe(200);
      const before = idp.calls.jwks;
      for (let i = 0; i < 3; i++) {
        const res = await me(limited.app, `Bearer ${signJwt(makeKey(`made-up-${i}`, 'ES256'), claims())}`);
        expect(res.body.code).toBe('TokenInvalid');
      }
      expect(idp.calls.jwks).toBe(before);
    } finally {
      limited.close();
    }
  });
});

describe('opaque access tokens', () => {
  test('are checked at the userinfo endpoint once and then served from the cache', async () => {
    const token = idp.opaque({ sub: 'sub-olga', preferred_username: 'olga', email: 'olga@uni.example' });
    const before = idp.calls.userinfo;
    const first = await me(server.app, `Bearer oidc/uni/${token}`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ name: 'olga', email: 'olga@uni.example' });
    const second = await me(server.app, `Bearer oidc/uni/${token}`);
    expect(second.body.user_id).toBe(first.body.user_id);
    expect(idp.calls.userinfo).toBe(before + 1);
  });

  test('a token the provider does not know is TokenInvalid', async () => {
    const res = await me(server.app, 'Bearer oidc/uni/not-issued-by-the-provider');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('TokenInvalid');
  });

  test('a plain Bearer opaque token is treated as a Basic token and refused', async () => {
    const token = idp.opaque({ sub: 'sub-olga' });
    const res = await me(server.app, `Bearer ${token}`);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('TokenInvalid');
  });
});

describe('local accounts for OpenID Connect identities', () => {
  test('the first login creates an account, later logins reuse it', async () => {
    const before = server.ctx.users.count();
    const token = signJwt(rsa, claims({ sub: 'sub-dave', preferred_username: 'dave', email: 'dave@uni.example' }));
    const first = await me(server.app, `Bearer oidc/uni/${token}`);
    expect(server.ctx.users.count()).toBe(before + 1);
    const again = await me(server.app, `Bearer ${signJwt(ec, claims({ sub: 'sub-dave', preferred_username: 'dave', email: 'dave@uni.example' }))}`);
    expect(again.body.user_id).toBe(first.body.user_id);
    expect(server.ctx.users.count()).toBe(before + 1);
    const stored = server.ctx.users.findById(first.body.user_id)!;
    expect(stored).toMatchObject({ name: 'dave', email: 'dave@uni.example' });
  });

  test('a changed email address is taken over at the next login', async () => {
    const header = (email: string) => `Bearer ${signJwt(rsa, claims({ sub: 'sub-gina', preferred_username: 'gina', email }))}`;
    const first = await me(server.app, header('gina@uni.example'));
    const later = await me(server.app, header('gina.new@uni.example'));
    expect(later.body).toMatchObject({ user_id: first.body.user_id, name: 'gina', email: 'gina.new@uni.example' });
  });

  test('a taken name gets a suffix and never hands over the existing account', async () => {
    const basicHeader = await server.login('carol', 'carols password');
    const basicMe = await me(server.app, basicHeader);
    const oidcMe = await me(server.app, `Bearer oidc/uni/${signJwt(rsa, claims({ sub: 'sub-carol', preferred_username: 'carol' }))}`);
    expect(oidcMe.status).toBe(200);
    expect(oidcMe.body.name).toBe('carol-2');
    expect(oidcMe.body.user_id).not.toBe(basicMe.body.user_id);
    // The OIDC account has no password, and the Basic one still works as before.
    expect((await request(server.app).get('/credentials/basic').auth('carol-2', '')).status).toBe(403);
    expect((await me(server.app, basicHeader)).body.name).toBe('carol');
  });

  test('without preferred_username the name comes from the email address', async () => {
    const res = await me(server.app, `Bearer ${signJwt(rsa, claims({ sub: 'sub-erin', preferred_username: undefined, email: 'Erin.Smith@uni.example' }))}`);
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('erin.smith');
  });
});

describe('access rules', () => {
  let restricted: TestServer;
  beforeAll(async () => {
    restricted = await startTestServer({
      oidc: {
        providers: [
          provider({
            access: { emailDomains: ['uni.example'], entitlements: ['urn:geant:uni.example:group:openeo'], subjects: ['ci-pipeline'] },
          }),
        ],
      },
    });
  });
  afterAll(() => restricted.close());

  test.each([
    ['a verified address of an allowed domain', { sub: 's1', email: 'bob@uni.example' }],
    ['an allowed entitlement', { sub: 's2', email: 'guest@elsewhere.example', eduperson_entitlement: ['x', 'urn:geant:uni.example:group:openeo'] }],
    ['an allowed subject (a client-credentials service account)', { sub: 'ci-pipeline', email: undefined, preferred_username: 'service-account-ci' }],
  ])('%s may sign in', async (_what, extra) => {
    const res = await me(restricted.app, `Bearer ${signJwt(rsa, claims(extra))}`);
    expect(res.status).toBe(200);
  });

  test.each([
    ['another domain', { sub: 's3', email: 'eve@other.example' }],
    ['a subdomain', { sub: 's4', email: 'eve@evil.uni.example' }],
    ['an unverified address', { sub: 's5', email: 'eve@uni.example', email_verified: false }],
    ['a different entitlement', { sub: 's6', email: 'eve@other.example', eduperson_entitlement: 'urn:geant:uni.example:group:staff' }],
  ])('%s is refused with PermissionsInsufficient and creates no account', async (_what, extra) => {
    const before = restricted.ctx.users.count();
    const res = await me(restricted.app, `Bearer oidc/uni/${signJwt(rsa, claims(extra))}`);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('PermissionsInsufficient');
    expect(restricted.ctx.users.count()).toBe(before);
  });

  test('claims missing from the access token are taken from userinfo', async () => {
    const token = signJwt(rsa, { iss: idp.issuer, sub: 'sub-frank', exp: now() + 300 });
    idp.userinfoClaims.set(token, { sub: 'sub-frank', email: 'frank@uni.example', email_verified: true, preferred_username: 'frank' });
    const res = await me(restricted.app, `Bearer oidc/uni/${token}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'frank', email: 'frank@uni.example' });
  });

  test('an access token with a name but without the email the rules need is completed from userinfo', async () => {
    const token = signJwt(rsa, { iss: idp.issuer, sub: 'sub-hana', exp: now() + 300, preferred_username: 'hana' });
    const withoutUserinfo = await me(restricted.app, `Bearer oidc/uni/${token}`);
    expect(withoutUserinfo.body.code).toBe('PermissionsInsufficient');
    const fresh = signJwt(rsa, { iss: idp.issuer, sub: 'sub-hana', exp: now() + 301, preferred_username: 'hana' });
    idp.userinfoClaims.set(fresh, { sub: 'sub-hana', email: 'hana@uni.example' });
    const res = await me(restricted.app, `Bearer oidc/uni/${fresh}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'hana', email: 'hana@uni.example' });
  });

  test('userinfo claims of another subject are ignored', async () => {
    const token = signJwt(rsa, { iss: idp.issuer, sub: 'sub-mallory', exp: now() + 300 });
    idp.userinfoClaims.set(token, { sub: 'sub-someone-else', email: 'boss@uni.example' });
    const res = await me(restricted.app, `Bearer oidc/uni/${token}`);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('PermissionsInsufficient');
  });
});

describe('providers that cannot be reached', () => {
  async function closedPort(): Promise<number> {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return port;
  }

  test('a closed port neither delays start-up nor Basic logins, and its tokens fail quickly', async () => {
    const issuer = `http://127.0.0.1:${await closedPort()}/realms/gone`;
    const down = await startTestServer({ oidc: { providers: [provider({ id: 'gone', issuer })] } });
    try {
      const started = Date.now();
      await prepare(down.ctx);
      const basic = await down.login('alice', 'correct horse battery');
      expect((await me(down.app, basic)).status).toBe(200);
      expect((await request(down.app).get('/credentials/oidc')).status).toBe(200);
      const token = signJwt(rsa, claims({ iss: issuer }));
      for (const header of [`Bearer oidc/gone/${token}`, `Bearer ${token}`, `Bearer oidc/gone/opaque-token`]) {
        const res = await me(down.app, header);
        expect(res.status).toBe(503);
        expect(res.body.code).toBe('InfrastructureBusy');
        expect(res.body.message).toContain("'gone'");
      }
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      down.close();
    }
  });

  test('a provider that never answers costs one timeout, after which requests fail at once', async () => {
    let received = 0;
    const silent = http.createServer(() => received++);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/realms/silent`;
    const slow = await startTestServer({
      oidc: { providers: [provider({ id: 'silent', issuer })], requestTimeoutSeconds: 0.5, retryAfterFailureSeconds: 60 },
    });
    try {
      const token = signJwt(rsa, claims({ iss: issuer }));
      const started = Date.now();
      const first = await me(slow.app, `Bearer oidc/silent/${token}`);
      expect(first.status).toBe(503);
      expect(Date.now() - started).toBeGreaterThanOrEqual(450);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(received).toBe(1);
      const second = await me(slow.app, `Bearer oidc/silent/${token}`);
      expect(second.status).toBe(503);
      // Failed at once: the provider was not asked again.
      expect(received).toBe(1);
    } finally {
      slow.close();
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('oidc configuration', () => {
  const load = (providers: unknown[]) => () =>
    loadConfig({ env: {}, overrides: { dataDir: '/tmp/unused', oidc: { providers } } });

  test.each([
    ['a client_credentials default client (the API lists only secret-less grants)', { default_clients: [{ id: 'c', grant_types: ['client_credentials'] }] }],
    ['an issuer with a trailing slash', { issuer: 'https://login.uni.example/' }],
    ['an id with characters other than letters, digits and _', { id: 'uni-login' }],
    ['scopes without openid', { scopes: ['profile'] }],
    ['no access rules', { access: {} }],
    ['access rules that let nobody in', { access: { open: false, emailDomains: [] } }],
  ])('%s is a configuration error', (_what, extra) => {
    expect(load([{ id: 'uni', issuer: 'https://login.uni.example', title: 'Uni', access: { open: true }, ...extra }])).toThrow(ConfigError);
  });

  test('a valid provider passes and duplicate ids are refused', () => {
    const entry = { id: 'uni', issuer: 'https://login.uni.example', title: 'Uni', access: { open: true } };
    const config = load([entry, { ...entry, issuer: 'https://other.example' }])();
    expect(config.oidc.providers).toHaveLength(2);
    expect(() => new OidcAuthenticator(config.oidc, server.ctx.users, server.ctx.logger)).toThrow(ConfigError);
  });
});
