import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports';

const REDIS_SERVER = '/usr/bin/redis-server';

/** A private Redis on a free loopback port, with its append-only file in a temp folder. */
export interface TestRedis {
  port: number;
  url: string;
  dir: string;
  /** SIGTERM, as a service manager stops it: Redis writes its append-only file and exits. */
  stop(): Promise<void>;
  /** Starts it again on the same folder and port (it reloads the append-only file). */
  restart(): Promise<void>;
  /** Kills it and removes its folder. */
  close(): Promise<void>;
}

/** Whether Redis answers PING on the port (a raw RESP exchange, so no client is involved). */
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.on('data', (d) => {
      reply += d.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

export async function startTestRedis(): Promise<TestRedis> {
  if (!fs.existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} is missing: run scripts/setup.sh (it installs Debian's redis-server)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openeo-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let log = '';

  const launch = async () => {
    log = '';
    const server = spawn(
      REDIS_SERVER,
      ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--appendonly', 'yes', '--save', '', '--protected-mode', 'yes'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    server.stdout!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    server.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    child = server;
    const deadline = Date.now() + 10_000;
    while (!(await pings(port))) {
      if (server.exitCode !== null) throw new Error(`redis-server exited with ${server.exitCode}: ${log}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}: ${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const terminate = async (signal: NodeJS.Signals) => {
    const server = child;
    child = undefined;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill(signal);
    await exited;
  };

  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    stop: () => terminate('SIGTERM'),
    restart: async () => {
      await terminate('SIGTERM');
      await launch();
    },
    close: async () => {
      await terminate('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
