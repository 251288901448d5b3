import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ConfigError, loadConfig } from '../../src/config/load';
import { DEFAULT_CONFIG } from '../../src/config/defaults';

const ROOT = path.resolve(__dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'openeo-config-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function writeConfig(name: string, content: unknown): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('config loading', () => {
  test('the shipped config.json equals the built-in defaults', () => {
    const shipped = JSON.parse(fs.readFileSync(path.join(ROOT, 'config.json'), 'utf8'));
    delete shipped.$comment;
    expect({ ...shipped, publicUrl: shipped.publicUrl ?? '' }).toEqual(DEFAULT_CONFIG);
  });

  test('a partial file is completed with defaults and relative data dirs resolve against the file', () => {
    const file = writeConfig('partial.json', { port: 6001, dataDir: 'somewhere' });
    const config = loadConfig({ file, env: {} });
    expect(config.port).toBe(6001);
    expect(config.dataDir).toBe(path.join(tmp, 'somewhere'));
    expect(config.limits.syncMaxPixels).toBe(DEFAULT_CONFIG.limits.syncMaxPixels);
    expect(config.publicUrl).toBe('http://localhost:6001');
  });

  test('environment variables override the file', () => {
    const file = writeConfig('env.json', { port: 6002, publicUrl: 'https://file.example/' });
    const config = loadConfig({
      file,
      env: { PORT: '7003', OPENEO_DATA_DIR: '/srv/openeo', OPENEO_PUBLIC_URL: 'https://env.example/openeo/' },
    });
    expect(config.port).toBe(7003);
    expect(config.dataDir).toBe('/srv/openeo');
    expect(config.publicUrl).toBe('https://env.example/openeo');
  });

  test('OPENEO_REDIS_URL gives the queue runner its Redis and keeps the other queue settings of the file', () => {
    const file = writeConfig('redis.json', { jobs: { runner: 'bullmq', bullmq: { redisUrl: 'redis://file-host:6379', prefix: 'campus' } } });
    const config = loadConfig({ file, env: { OPENEO_REDIS_URL: 'redis://:secret@queue.example:6379' } });
    expect(config.jobs.bullmq).toMatchObject({ redisUrl: 'redis://:secret@queue.example:6379', prefix: 'campus', lockSeconds: 30 });
    expect(config.jobs.runner).toBe('bullmq');
  });

  test('OPENEO_CONFIG names the file to read', () => {
    const file = writeConfig('named.json', { port: 6004 });
    expect(loadConfig({ env: { OPENEO_CONFIG: file } }).port).toBe(6004);
  });

  test.each([
    ['a wrong type', { port: 'eighty' }, "setting 'port' must be integer"],
    ['an out-of-range value', { limits: { syncMaxPixels: 0 } }, "setting 'limits.syncMaxPixels' must be >= 1"],
    ['an unknown key', { auth: { tokenLifetime: 5 } }, "unknown setting 'auth.tokenLifetime'"],
    ['a bad enum', { logLevel: 'loud' }, "setting 'logLevel' must be equal to one of the allowed values"],
  ])('rejects %s naming the key', (_what, content, message) => {
    const file = writeConfig('bad.json', content);
    expect(() => loadConfig({ file, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ file, env: {} })).toThrow(message);
  });

  test('rejects a file that is not JSON, and a missing file', () => {
    const file = writeConfig('broken.json', '{ "port": 5000, ');
    expect(() => loadConfig({ file, env: {} })).toThrow(/not valid JSON/);
    expect(() => loadConfig({ file: path.join(tmp, 'nope.json'), env: {} })).toThrow(/cannot read config file/);
  });

  test('rejects a PORT variable that is not a number', () => {
    expect(() => loadConfig({ env: { PORT: 'abc' } })).toThrow(/PORT must be a whole number/);
  });

  test('the server exits non-zero with one clear line and no stack trace on a bad config', () => {
    const file = writeConfig('bad-start.json', { limits: { graphMaxNodes: -1 } });
    const result = spawnSync(process.execPath, [path.join(ROOT, 'dist/index.js')], {
      env: { ...process.env, OPENEO_CONFIG: file, OPENEO_DATA_DIR: path.join(tmp, 'never') },
      encoding: 'utf8',
      timeout: 30000,
    });
    expect(result.status).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("'limits.graphMaxNodes'");
    expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
    expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
  });
});
