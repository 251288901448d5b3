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
  phase: 'whole' | 'plan' | 'blocks' | 'assemble' | 'ended';
  blocks: BlockRows[];
  tileSize: number;
  /** Accepted block results by unit id. */
  done: Record<string, BlockDone>;
  /** The highest fencing token seen of each unit: reports of older attempts are refused. */
  tokens: Record<string, number>;
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
 * Whether a process may be computed in blocks: its top-level graph saves at most once, as GTiff,
 * in its result node (or saves nothing, and the value may turn out to be a raster). Anything else
 * runs as one unit. The plan unit checks the rest at run time.
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
  return typeof format === 'string' && findWriter(format)?.info.name === 'GTiff';
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
  if (state.phase === 'ended' || unitId in state.done) return false;
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

function blockProgress(state: RunState): number {
  const total = state.blocks.length * (state.nodata === undefined ? 1 : 2);
  const finished = Object.keys(state.done).length;
  return Math.min(95, Math.round(5 + (90 * finished) / Math.max(1, total)));
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
    case 'retryNodata':
      state.phase = 'blocks';
      state.nodata = result.value;
      return { submit: blockSubmissions(state), progress: blockProgress(state) };
  }
}
