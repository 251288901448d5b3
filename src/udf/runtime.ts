/**
 * What GET /udf_runtimes offers: the system's Python as the sandbox really runs it, probed once
 * per process (the interpreter reports its version from inside the sandbox; the libraries'
 * versions come from the Debian packages, since Debian's xarray reports no version of its own).
 */
import { spawnSync } from 'node:child_process';
import { ProcessException } from '../errors/ProcessException';
import { sandboxArgv } from './sandbox';

export const RUNTIME_NAME = 'Python';
const LIBRARIES = ['numpy', 'xarray', 'pandas', 'scipy'] as const;

export interface UdfRuntime {
  /** e.g. 3.11.2 */
  version: string;
  libraries: Record<string, string>;
}

/** Debian's upstream part of a package version: `1:1.24.2-1+deb12u1` → `1.24.2`. */
export function upstreamVersion(debian: string): string {
  return debian.replace(/^\d+:/, '').replace(/-[^-]*$/, '').replace(/\+dfsg.*$/, '');
}

function packageVersions(): Record<string, string> {
  const query = spawnSync('dpkg-query', ['-W', '-f', '${Package}\t${Version}\n', ...LIBRARIES.map((l) => `python3-${l}`)], { encoding: 'utf8' });
  const out: Record<string, string> = {};
  for (const line of (query.stdout ?? '').split('\n')) {
    const [pkg, version] = line.split('\t');
    if (pkg && version) out[pkg.replace(/^python3-/, '')] = upstreamVersion(version);
  }
  return out;
}

function probe(): UdfRuntime | null {
  const code = `import json, sys\nv = {}\nfor m in ${JSON.stringify(LIBRARIES)}:\n    v[m] = __import__(m).__version__\nprint(json.dumps({"python": "%d.%d.%d" % sys.version_info[:3], "modules": v}))`;
  const argv = sandboxArgv({ memoryMegabytes: 2048, cpuSeconds: 30, processes: 16, fileMegabytes: 16 }, ['-c', code]);
  const run = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0) return null;
  try {
    const found = JSON.parse(run.stdout.trim()) as { python: string; modules: Record<string, string> };
    const debian = packageVersions();
    const libraries: Record<string, string> = {};
    for (const name of LIBRARIES) libraries[name] = debian[name] ?? found.modules[name];
    return { version: found.python, libraries };
  } catch {
    return null;
  }
}

let cached: { runtime: UdfRuntime | null } | undefined;

/**
 * Takes the probe's result from the process that made it (a job worker from its server), so
 * each worker does not start a sandboxed interpreter again just to learn the same versions.
 */
export function adoptUdfRuntime(runtime: UdfRuntime | null): void {
  cached = { runtime };
}

/** The working runtime, or null when the sandboxed interpreter cannot start with its libraries. */
export function udfRuntime(): UdfRuntime | null {
  cached ??= { runtime: probe() };
  return cached.runtime;
}

/** The body of GET /udf_runtimes: exactly what runs here (nothing when UDFs are off or broken). */
export function udfRuntimesDocument(enabled: boolean): Record<string, unknown> {
  const runtime = enabled ? udfRuntime() : null;
  if (!runtime) return {};
  const libraries = Object.fromEntries(Object.entries(runtime.libraries).map(([name, version]) => [name, { version }]));
  return {
    [RUNTIME_NAME]: {
      title: 'Python',
      description:
        'Python UDFs with the openEO UDF interface (apply_datacube, apply_timeseries, UdfData), run in a sandbox without network or ' +
        'files, with these libraries only.',
      type: 'language',
      default: runtime.version,
      versions: { [runtime.version]: { libraries } },
    },
  };
}

function offered(runtime: UdfRuntime): string {
  return `${RUNTIME_NAME} ${runtime.version} with ${Object.entries(runtime.libraries).map(([n, v]) => `${n} ${v}`).join(', ')}`;
}

/** A PEP 723 block (`# /// script` … `# ///`) that declares dependencies. */
function declaresDependencies(code: string): boolean {
  const block = /^# \/\/\/ script\s*$([\s\S]*?)^# \/\/\/\s*$/m.exec(code);
  return block !== null && /^#\s*dependencies\s*=/m.test(block[1]);
}

/** Refuses what cannot run here, naming what is on offer. */
export function checkUdfRequest(runtimeName: unknown, version: unknown, code: string): UdfRuntime {
  const runtime = udfRuntime();
  if (!runtime) throw new ProcessException('InvalidRuntime', 'No UDF runtime is available on this back-end.');
  if (typeof runtimeName !== 'string' || runtimeName.toLowerCase() !== RUNTIME_NAME.toLowerCase()) {
    throw new ProcessException('InvalidRuntime', `The UDF runtime '${String(runtimeName)}' is not supported; available: ${offered(runtime)}.`);
  }
  if (version !== null && version !== undefined && version !== runtime.version) {
    const short = runtime.version.split('.').slice(0, 2).join('.');
    if (version !== short && version !== '3') {
      throw new ProcessException('InvalidVersion', `The UDF runtime version '${String(version)}' is not supported; available: ${offered(runtime)}.`);
    }
  }
  if (declaresDependencies(code)) {
    throw new ProcessException(
      'InvalidRuntime',
      `The UDF declares dependencies (a "# /// script" block), which cannot be installed here; available libraries: ${offered(runtime)}.`,
    );
  }
  return runtime;
}
