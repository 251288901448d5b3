import type { CheckResult } from './check';

export interface WorkloadResult {
  id: string;
  title: string;
  repeats: number;
  /** Seconds of one run (the median when repeated). */
  seconds: number;
  /** Input pixels read (all bands and dates the workload touches). */
  inputPixels: number;
  outputPixels: number;
  /** Input pixels per second of wall time. */
  pixelsPerSecond: number;
  /** Peak resident set size of the whole process while the workload ran (sampled every 50 ms). */
  peakRssMb: number;
  /** Resident set size when the workload started; RSS rarely shrinks, so the peak includes earlier runs' leftovers. */
  startRssMb: number;
  floorSingleSeconds: number;
  floorParallelSeconds: number;
  /** Wall time divided by the single-thread and all-core I/O floor. */
  ratioSingle: number;
  ratioParallel: number;
  check: CheckResult;
  error?: string;
}

export function formatTable(results: WorkloadResult[]): string {
  const header = ['id', 'workload', 'time s', 'Mpx/s', 'RSS start→peak MB', 'floor 1T s', 'floor nT s', '×floor 1T', '×floor nT', 'check'];
  const rows = results.map((r) =>
    r.error
      ? [r.id, r.title, 'error', '', '', '', '', '', '', r.error.slice(0, 60)]
      : [
          r.id,
          r.title,
          r.seconds.toFixed(3),
          (r.pixelsPerSecond / 1e6).toFixed(1),
          `${r.startRssMb.toFixed(0)}→${r.peakRssMb.toFixed(0)}`,
          r.floorSingleSeconds.toFixed(3),
          r.floorParallelSeconds.toFixed(3),
          r.ratioSingle.toFixed(1),
          r.ratioParallel.toFixed(1),
          r.check.ok ? `ok (${r.check.sampled})` : `WRONG: ${r.check.note ?? ''}`,
        ],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
