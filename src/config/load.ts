import fs from 'node:fs';
import path from 'node:path';
import Ajv, { ErrorObject } from 'ajv';
import { configSchema } from './schema';
import { DEFAULT_CONFIG } from './defaults';
import { Config } from './types';

/** A configuration problem that the entry point reports as one line before exiting. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Json = Record<string, unknown>;

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge for settings objects; arrays and scalars from `override` replace the base. */
function merge(base: Json, override: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(override)) {
    out[key] = isPlainObject(value) && isPlainObject(base[key]) ? merge(base[key] as Json, value) : value;
  }
  return out;
}

function describe(error: ErrorObject): string {
  const key = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return `unknown setting '${key ? key + '.' : ''}${extra}'`;
  }
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return `missing setting '${key ? key + '.' : ''}${missing}'`;
  }
  return `setting '${key || '(root)'}' ${error.message ?? 'is invalid'}`;
}

const ajv = new Ajv({ allErrors: false, strict: false });
const validate = ajv.compile(configSchema);

/** Environment variables that override the settings deployments usually change. */
function fromEnvironment(env: NodeJS.ProcessEnv): Json {
  const out: Json = {};
  if (env.PORT !== undefined) {
    const port = Number(env.PORT);
    if (!Number.isInteger(port)) throw new ConfigError(`environment variable PORT must be a whole number, got '${env.PORT}'`);
    out.port = port;
  }
  if (env.OPENEO_DATA_DIR) out.dataDir = env.OPENEO_DATA_DIR;
  if (env.OPENEO_PUBLIC_URL) out.publicUrl = env.OPENEO_PUBLIC_URL;
  if (env.OPENEO_LOG_LEVEL) out.logLevel = env.OPENEO_LOG_LEVEL;
  if (env.OPENEO_HOST) out.host = env.OPENEO_HOST;
  // The queue's URL holds its password: it may come from a service's environment file instead of config.json.
  if (env.OPENEO_REDIS_URL) out.jobs = { bullmq: { redisUrl: env.OPENEO_REDIS_URL } };
  return out;
}

/** The error for a queue runner or worker without a Redis to talk to. */
export function missingRedisUrl(): ConfigError {
  return new ConfigError("setting 'jobs.bullmq.redisUrl' is needed for the bullmq runner and its workers (or set OPENEO_REDIS_URL)");
}

export interface LoadOptions {
  /** Path of the config file; when absent, OPENEO_CONFIG or ./config.json (if it exists). */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Settings applied last, used by tests. */
  overrides?: Json;
}

function readConfigFile(file: string): Json {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (!isPlainObject(parsed)) throw new ConfigError(`config file ${file} must contain a JSON object`);
  return parsed;
}

export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const explicit = options.file ?? env.OPENEO_CONFIG;
  const file = explicit ?? (fs.existsSync('config.json') ? 'config.json' : undefined);
  const fromFile = file ? readConfigFile(file) : {};
  const baseDir = file ? path.dirname(path.resolve(file)) : process.cwd();

  let merged = merge(DEFAULT_CONFIG as unknown as Json, fromFile);
  merged = merge(merged, fromEnvironment(env));
  if (options.overrides) merged = merge(merged, options.overrides);

  if (!validate(merged)) {
    const where = file ? ` in ${file}` : '';
    throw new ConfigError(`invalid configuration${where}: ${describe(validate.errors![0])}`);
  }
  const config = merged as unknown as Config;
  // Said at start, not at the first job: the queue runner cannot work without its Redis.
  if (config.jobs.runner === 'bullmq' && !config.jobs.bullmq.redisUrl) throw missingRedisUrl();
  // A data directory given in the environment is relative to where the server is started.
  const dataDirBase = env.OPENEO_DATA_DIR ? process.cwd() : baseDir;
  config.dataDir = path.resolve(dataDirBase, config.dataDir);
  if (!config.publicUrl) config.publicUrl = `http://localhost:${config.port}`;
  config.publicUrl = config.publicUrl.replace(/\/+$/, '');
  return config;
}
