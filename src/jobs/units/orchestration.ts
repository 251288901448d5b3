/**
 * The course of one run of a batch job through its units, independent of where they run:
 * which units to start first, what each accepted result leads to, and which results to refuse.
 * A plain JSON state, so the API server can store it and pick a run up again after a restart.
 */
import { findWriter } from '../../output/writers';
import type { GTiffLayout, GTiffPart } from '../../output/gtiffParts';
import type { Usage } from '../types';
import type { BlockRows, UnitResult, UnitSpec } from './protocol';

export interface BlockDone {
  layout: GTiffLayout;
  part: GTiffPart;
  options: Record<string, unknown>;
  cubeDimensions: Record<string, unknown>;
}

export interface RunState {
  runId: string;
  /** The run folder, relative to the data directory. */
  runDir: string;
  phase: 'whole' | 'plan' | 'blocks' | 'assemble' | 'zones' | 'join' | 'ended';
  blocks: BlockRows[];
  tileSize: number;
  /** Accepted block results by unit id. */
  done: Record<string, BlockDone>;
  /** The highest fencing token seen of each unit: reports of older attempts are refused. */
  tokens: Record<string, number>;
  /** The groups of geometries of a zonal-statistics run, and the value files of those done, by unit id. */
  zones?: number[][];
  zoneParts?: Record<string, string>;
  /** The stored no-data value of the second round of blocks, after a clash in the first. */
  nodata?: number;
  usage: { cpuSeconds: number; memoryMbSeconds: number; peakMb: number; inputPixels: number };
}

export interface Submission {
  unitId: string;
  spec: UnitSpec;
}

/** What an accepted result asks for next. */
export interface Step {
  submit: Submission[];
  /** The folder to publish and what it holds: the run is complete. */
  publish?: Extract<UnitResult, { kind: 'outputs' }>;
  /** The job's progress in percent, when it changed. */
  progress?: number;
}

/**
 * Whether a process may be computed in parts: its top-level graph saves at most once, in its
 * result node, as GTiff (or saves nothing, and the value may turn out to be a raster) or the
 * zonal statistics of its only aggregate_spatial. Anything else runs as one unit. The plan unit
 * checks the rest at run time.
 */
export function mayRunInBlocks(process: Record<string, unknown>): boolean {
  const graph = process.process_graph;
  if (!graph || typeof graph !== 'object') return false;
  const saves = Object.values(graph as Record<string, { process_id?: unknown; arguments?: Record<string, unknown>; result?: unknown }>).filter(
    (node) => node?.process_id === 'save_result',
  );
  if (saves.length === 0) return true;
  if (saves.length > 1 || saves[0].result !== true) return false;
  const format = saves[0].arguments?.format;
  if (typeof format === 'string' && findWriter(format)?.info.name === 'GTiff') return true;
  // Zonal statistics split by geometries: what is saved comes straight from the graph's only aggregate_spatial.
  const nodes = graph as Record<string, { process_id?: unknown } | undefined>;
  const aggregates = Object.values(nodes).filter((node) => node?.process_id === 'aggregate_spatial');
  const from = (saves[0].arguments?.data as { from_node?: unknown } | undefined)?.from_node;
  return aggregates.length === 1 && typeof from === 'string' && nodes[from]?.process_id === 'aggregate_spatial';
}

export function newRunState(runId: string, runDir: string, inBlocks: boolean): RunState {
  return {
    runId,
    runDir,
    phase: inBlocks ? 'plan' : 'whole',
    blocks: [],
    tileSize: 0,
    done: {},
    tokens: {},
    usage: { cpuSeconds: 0, memoryMbSeconds: 0, peakMb: 0, inputPixels: 0 },
  };
}

export function firstUnits(state: RunState): Submission[] {
  return state.phase === 'whole' ? [{ unitId: 'whole', spec: { kind: 'whole' } }] : [{ unitId: 'plan', spec: { kind: 'plan' } }];
}

/**
 * Records that an attempt with `token` reported on `unitId`; false when a newer attempt already
 * did, or the unit's result is in: such reports are to be ignored, files and all.
 */
export function admits(state: RunState, unitId: string, token: number): boolean {
  if (state.phase === 'ended' || unitId in state.done || unitId in (state.zoneParts ?? {})) return false;
  const seen = state.tokens[unitId] ?? 0;
  if (token < seen) return false;
  state.tokens[unitId] = token;
  return true;
}

/** Whether `unitId` is still expected in the current phase (a late plan or old block is not). */
export function isCurrent(state: RunState, unitId: string): boolean {
  switch (state.phase) {
    case 'whole':
      return unitId === 'whole';
    case 'plan':
      return unitId === 'plan' || unitId === 'whole';
    case 'blocks':
      return unitId.startsWith('block-') && !(unitId in state.done);
    case 'assemble':
      return unitId.startsWith('assemble');
    case 'zones':
      return unitId.startsWith('zones-') && !(unitId in (state.zoneParts ?? {}));
    case 'join':
      return unitId === 'join';
    case 'ended':
      return false;
  }
}

export function addUsage(state: RunState, usage: Usage, inputPixels: number): void {
  state.usage.cpuSeconds += usage.cpu?.value ?? 0;
  state.usage.memoryMbSeconds += usage.memory?.value ?? 0;
  state.usage.peakMb = Math.max(state.usage.peakMb, usage.peak_memory?.value ?? 0);
  state.usage.inputPixels += inputPixels;
}

function blockId(index: number, round: number): string {
  return round === 0 ? `block-${index}` : `block-${index}-r${round}`;
}

function blockSubmissions(state: RunState): Submission[] {
  const round = state.nodata === undefined ? 0 : 1;
  return state.blocks.map((rows) => ({
    unitId: blockId(rows.index, round),
    spec: { kind: 'block', rows, tileSize: state.tileSize, ...(state.nodata === undefined ? {} : { nodata: state.nodata }) },
  }));
}

/** Between the plan (5 %) and the last unit (95 %): the share of the parts that are done. */
function shareProgress(finished: number, total: number): number {
  return Math.min(95, Math.round(5 + (90 * finished) / Math.max(1, total)));
}

function blockProgress(state: RunState): number {
  return shareProgress(Object.keys(state.done).length, state.blocks.length * (state.nodata === undefined ? 1 : 2));
}

function zoneSubmissions(state: RunState): Submission[] {
  return state.zones!.map((geometries, index) => ({ unitId: `zones-${index}`, spec: { kind: 'zones', index, geometries, tileSize: state.tileSize } }));
}

/** Applies an accepted result of the current phase; throws on a result that does not fit it (a bug). */
export function advance(state: RunState, unitId: string, result: UnitResult): Step {
  switch (result.kind) {
    case 'outputs':
      state.phase = 'ended';
      return { submit: [], publish: result };
    case 'unsplittable':
      state.phase = 'whole';
      return { submit: [{ unitId: 'whole', spec: { kind: 'whole' } }] };
    case 'planned':
      state.phase = 'blocks';
      state.blocks = result.blocks;
      state.tileSize = result.tileSize;
      return { submit: blockSubmissions(state), progress: 5 };
    case 'block': {
      state.done[unitId] = { layout: result.layout, part: result.part, options: result.options, cubeDimensions: result.cubeDimensions };
      const round = state.nodata === undefined ? 0 : 1;
      const ids = state.blocks.map((b) => blockId(b.index, round));
      if (!ids.every((id) => id in state.done)) return { submit: [], progress: blockProgress(state) };
      state.phase = 'assemble';
      const blocks = ids.map((id) => state.done[id]);
      const spec: UnitSpec = {
        kind: 'assemble',
        layout: blocks[0].layout,
        parts: blocks.map((b) => b.part),
        tileSize: state.tileSize,
        options: blocks[0].options,
        cubeDimensions: blocks[0].cubeDimensions,
        retried: round === 1,
      };
      return { submit: [{ unitId: round === 0 ? 'assemble' : 'assemble-r1', spec }], progress: 95 };
    }
    case 'plannedZones':
      state.phase = 'zones';
      state.zones = result.groups;
      state.zoneParts = {};
      state.tileSize = result.tileSize;
      return { submit: zoneSubmissions(state), progress: 5 };
    case 'zones': {
      const parts = (state.zoneParts ??= {});
      parts[unitId] = result.file;
      const groups = state.zones ?? [];
      const ids = groups.map((_, i) => `zones-${i}`);
      if (!ids.every((id) => id in parts)) return { submit: [], progress: shareProgress(Object.keys(parts).length, groups.length) };
      state.phase = 'join';
      const spec: UnitSpec = { kind: 'join', groups, parts: ids.map((id) => parts[id]), tileSize: state.tileSize };
      return { submit: [{ unitId: 'join', spec }], progress: 95 };
    }
    case 'retryNodata':
      state.phase = 'blocks';
      state.nodata = result.value;
      return { submit: blockSubmissions(state), progress: blockProgress(state) };
  }
}
