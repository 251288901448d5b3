/**
 * The command line of the sandboxed interpreter: bubblewrap with nothing shared but a read-only
 * /usr, the compatibility package and the two /etc files the dynamic loader needs, inside
 * resource limits (prlimit). As root, each interpreter runs under a user id of its own, so that
 * the process limit counts only its own processes.
 */
import path from 'node:path';

export const PYTHON = '/usr/bin/python3';
export const BWRAP = '/usr/bin/bwrap';
export const PRLIMIT = '/usr/bin/prlimit';
export const SETPRIV = '/usr/bin/setpriv';

/** udf/python of the repository, seen from src/udf and from dist/udf alike. */
export const PACKAGE_DIR = path.resolve(__dirname, '../../udf/python');
const INSIDE_PACKAGE = '/opt/openeo-udf';

export interface SandboxLimits {
  memoryMegabytes: number;
  cpuSeconds: number;
  /** Processes (and threads) the interpreter may have at once. */
  processes: number;
  /** Largest file the UDF may write (into its private /tmp). */
  fileMegabytes: number;
}

/** Ids given to interpreters in turn; none of them owns a file on the host. */
const FIRST_UID = 420_000;
const UID_COUNT = 10_000;
let nextUid = 0;

function runAsOwnUser(): string[] {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return [];
  const uid = FIRST_UID + (nextUid++ % UID_COUNT);
  return [SETPRIV, `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'];
}

/** argv of the sandboxed `python3 <script>`; the environment inside is only what is set here. */
export function sandboxArgv(limits: SandboxLimits, script: string[]): string[] {
  const mb = 1024 * 1024;
  return [
    ...runAsOwnUser(),
    PRLIMIT,
    `--as=${limits.memoryMegabytes * mb}`,
    // SIGXCPU at the soft limit says why; the hard limit one second later kills a UDF that ignores it.
    `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`,
    `--nproc=${limits.processes}`,
    `--fsize=${limits.fileMegabytes * mb}`,
    '--core=0',
    BWRAP,
    '--unshare-all',
    // No user namespaces inside: less kernel surface for the code to reach.
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--uid', '65534',
    '--gid', '65534',
    '--ro-bind', '/usr', '/usr',
    '--symlink', 'usr/lib', '/lib',
    '--symlink', 'usr/lib64', '/lib64',
    '--symlink', 'usr/bin', '/bin',
    // The loader's cache and Debian's alternatives (libblas.so.3 is reached through them).
    '--ro-bind', '/etc/ld.so.cache', '/etc/ld.so.cache',
    '--ro-bind', '/etc/alternatives', '/etc/alternatives',
    '--symlink', '/usr/share/zoneinfo/UTC', '/etc/localtime',
    '--size', String(limits.fileMegabytes * mb), '--tmpfs', '/tmp',
    '--proc', '/proc',
    '--dev', '/dev',
    '--ro-bind', PACKAGE_DIR, INSIDE_PACKAGE,
    '--chdir', '/tmp',
    '--clearenv',
    '--setenv', 'PATH', '/usr/bin',
    '--setenv', 'HOME', '/tmp',
    '--setenv', 'TZ', 'UTC',
    '--setenv', 'LANG', 'C.UTF-8',
    '--setenv', 'PYTHONPATH', INSIDE_PACKAGE,
    '--setenv', 'PYTHONDONTWRITEBYTECODE', '1',
    '--setenv', 'PYTHONUNBUFFERED', '1',
    // One thread per library: threads count against the process limit.
    '--setenv', 'OPENBLAS_NUM_THREADS', '1',
    '--setenv', 'OMP_NUM_THREADS', '1',
    '--setenv', 'MKL_NUM_THREADS', '1',
    PYTHON,
    '-B',
    ...script.map((arg) => arg.replace(PACKAGE_DIR, INSIDE_PACKAGE)),
  ];
}

export const WORKER_SCRIPT = path.join(PACKAGE_DIR, 'openeo_udf_worker.py');
