/**
 * Checks argument values against the JSON schemas of process parameters. Plain JSON values are
 * validated with ajv plus our checks for the openEO subtypes; values that only exist at run time
 * (data cubes, tile vectors, callbacks) and references to other nodes are checked by kind.
 */
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { PixelArray } from '../types';
import { LabeledArray, isEngineValue, isPlainObject } from '../values';
import { isRecord } from './types';

type Schema = Record<string, unknown> | Array<Record<string, unknown>>;

const RFC3339_DATE = /^\d{4}-\d{2}-\d{2}$/;
const RFC3339_TIME = /^\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/i;
const RFC3339_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
const GEOJSON_TYPES = new Set([
  'Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection', 'Feature', 'FeatureCollection',
]);

function validCalendarDate(text: string): boolean {
  const d = new Date(text.slice(0, 10) + 'T00:00:00Z');
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text.slice(0, 10);
}

export function isDateString(v: unknown): boolean {
  return typeof v === 'string' && RFC3339_DATE.test(v) && validCalendarDate(v);
}

export function isDateTimeString(v: unknown): boolean {
  return typeof v === 'string' && RFC3339_DATETIME.test(v) && validCalendarDate(v) && !Number.isNaN(Date.parse(v.replace(' ', 'T')));
}

function isTemporalBound(v: unknown): boolean {
  return v === null || isDateString(v) || isDateTimeString(v) || (typeof v === 'string' && RFC3339_TIME.test(v));
}

function isTemporalInterval(v: unknown): boolean {
  return Array.isArray(v) && v.length === 2 && v.every(isTemporalBound) && !(v[0] === null && v[1] === null);
}

/** Output formats the writers registered; set by the registry owner so this module needs no globals of its own. */
export type FormatLookup = () => string[];

/** Our checks for openEO subtypes on plain JSON values. Unknown subtypes accept what the JSON schema accepts. */
function subtypeCheck(outputFormats: FormatLookup) {
  return (subtype: unknown, data: unknown): boolean => {
    switch (subtype) {
      case 'datacube':
      case 'raster-cube':
      case 'vector-cube':
      case 'process-graph':
        // Such values are never plain JSON; the kind checks below handle the real ones.
        return false;
      case 'date':
        return isDateString(data);
      case 'date-time':
        return isDateTimeString(data);
      case 'time':
        return typeof data === 'string' && RFC3339_TIME.test(data);
      case 'year':
        return Number.isInteger(data);
      case 'duration':
        return typeof data === 'string' && ISO_DURATION.test(data);
      case 'temporal-interval':
        return isTemporalInterval(data);
      case 'temporal-intervals':
        return Array.isArray(data) && data.every(isTemporalInterval);
      case 'bounding-box': {
        if (!isRecord(data)) return false;
        const { west, south, east, north } = data;
        if (![west, south, east, north].every((n) => typeof n === 'number' && Number.isFinite(n))) return false;
        return (south as number) <= (north as number);
      }
      case 'epsg-code':
        return Number.isInteger(data) && (data as number) >= 1000;
      case 'geojson':
        return isRecord(data) && typeof data.type === 'string' && GEOJSON_TYPES.has(data.type);
      case 'band-name':
      case 'collection-id':
        return typeof data === 'string' && data.length > 0;
      case 'output-format': {
        if (typeof data !== 'string') return false;
        const wanted = data.toLowerCase();
        return outputFormats().some((f) => f.toLowerCase() === wanted);
      }
      default:
        return true;
    }
  };
}

/** The kinds of value a schema admits: JSON types plus 'datacube' and 'process-graph'; 'any' when unconstrained. */
export function schemaKinds(schema: unknown): Set<string> {
  const kinds = new Set<string>();
  const visit = (s: unknown) => {
    if (Array.isArray(s)) return s.forEach(visit);
    if (!isRecord(s)) return void kinds.add('any');
    if (Array.isArray(s.anyOf) || Array.isArray(s.oneOf)) return ((s.anyOf ?? s.oneOf) as unknown[]).forEach(visit);
    const subtype = s.subtype;
    if (subtype === 'datacube' || subtype === 'raster-cube' || subtype === 'vector-cube') return void kinds.add('datacube');
    if (subtype === 'process-graph') return void kinds.add('process-graph');
    if (s.type === undefined) return void kinds.add('any');
    for (const t of Array.isArray(s.type) ? s.type : [s.type]) kinds.add(t === 'integer' ? 'number' : String(t));
  };
  visit(schema);
  return kinds;
}

/** Whether a value of `produced` kinds can satisfy a parameter of `accepted` kinds. */
export function kindsCompatible(produced: Set<string>, accepted: Set<string>): boolean {
  if (produced.has('any') || accepted.has('any')) return true;
  for (const k of produced) {
    if (accepted.has(k)) return true;
    if (k === 'datacube' && accepted.has('object')) return true;
  }
  return false;
}

/** Whether a value contains anything besides plain JSON. */
function isPureJson(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return typeof value !== 'function' && value !== undefined;
  if (Array.isArray(value)) return value.every(isPureJson);
  if (!isPlainObject(value)) return false;
  return Object.values(value).every(isPureJson);
}

/** The kinds a run-time value belongs to. */
function valueKinds(value: unknown): string[] {
  if (value instanceof Float64Array) return ['number', 'boolean', 'null'];
  if (value instanceof PixelArray || value instanceof LabeledArray || Array.isArray(value)) return ['array'];
  if (isEngineValue(value)) {
    // Callbacks are objects with a run() method; everything else the engine makes is a cube.
    return typeof (value as { run?: unknown }).run === 'function' ? ['process-graph'] : ['datacube'];
  }
  if (value === null) return ['null'];
  if (isRecord(value)) return ['object'];
  return [typeof value];
}

export class SchemaChecker {
  private readonly ajv: Ajv;
  private readonly compiled = new WeakMap<object, ValidateFunction>();

  constructor(outputFormats: FormatLookup) {
    // Without the u flag: some spec patterns (e.g. the paths of load_uploaded_files) use escapes that unicode mode rejects.
    this.ajv = new Ajv({ strict: false, allErrors: false, validateSchema: false, unicodeRegExp: false });
    addFormats(this.ajv);
    this.ajv.addKeyword({ keyword: 'subtype', errors: false, validate: subtypeCheck(outputFormats) });
  }

  private validator(schema: Schema): ValidateFunction {
    let fn = this.compiled.get(schema);
    if (!fn) {
      const relaxed = Array.isArray(schema) ? schema.map(relaxNumericBounds) : relaxNumericBounds(schema);
      fn = this.ajv.compile(Array.isArray(relaxed) ? { anyOf: relaxed } : relaxed);
      this.compiled.set(schema, fn);
    }
    return fn;
  }

  /**
   * Only the kind of value (number, string, array, data cube, ...) a schema admits. For schemas
   * from users' documents, which are not compiled (each compiled schema stays in ajv's cache).
   */
  checkKind(value: unknown, schema: unknown): string | undefined {
    const accepted = schemaKinds(schema);
    const kinds = valueKinds(value);
    if (kindsCompatible(new Set(kinds), accepted)) return undefined;
    return `got ${kinds[0]}, expected ${[...accepted].join(' or ')}`;
  }

  /** Returns undefined when the value fits the schema, otherwise a short reason. */
  check(value: unknown, schema: unknown): string | undefined {
    if (!isRecord(schema) && !Array.isArray(schema)) return undefined;
    if (value instanceof LabeledArray && isPureJson(value.values)) value = value.values;
    if (isPureJson(value)) {
      const fn = this.validator(schema as Schema);
      if (fn(value)) return undefined;
      return describeMismatch(value, schema, fn.errors?.[0]);
    }
    const accepted = schemaKinds(schema);
    if (kindsCompatible(new Set(valueKinds(value)), accepted)) return undefined;
    return `got ${valueKinds(value)[0]}, expected ${[...accepted].join(' or ')}`;
  }
}

const NUMERIC_BOUNDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'];

/**
 * Bounds on a real-valued (type `number`) argument describe the domain of a math function
 * rather than an input error: the spec's cases expect e.g. arccos(2) to give NaN, not a
 * rejection. Integer parameters (indices, counts) keep their bounds.
 */
function relaxNumericBounds(schema: Record<string, unknown>): Record<string, unknown> {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (!types.includes('number')) return schema;
  const out = { ...schema };
  for (const key of NUMERIC_BOUNDS) delete out[key];
  return out;
}

function describeMismatch(value: unknown, schema: unknown, error?: { keyword: string; instancePath: string; message?: string }): string {
  const kinds = [...schemaKinds(schema)].filter((k) => k !== 'any');
  const shown = JSON.stringify(value);
  const brief = shown !== undefined && shown.length > 60 ? shown.slice(0, 57) + '...' : shown;
  // A single failing constraint (bound, enum, pattern...) says more than the expected type.
  if (error && !['anyOf', 'oneOf', 'type', 'subtype'].includes(error.keyword) && error.message) {
    const where = error.instancePath ? ` at ${error.instancePath}` : '';
    return `${brief}${where} ${error.message}`;
  }
  return kinds.length > 0 ? `${brief} does not match the expected ${kinds.join(' or ')}` : `${brief} is not allowed here`;
}
