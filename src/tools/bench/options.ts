/** Command-line options of `npm run bench`. */
export type BenchSize = 'small' | 'medium' | 'large';

export const SIZES: Record<BenchSize, number> = { small: 1024, medium: 4096, large: 10980 };
export const ALL_WORKLOADS = ['W1', 'W2', 'W3', 'W4', 'W5'] as const;
export type WorkloadId = (typeof ALL_WORKLOADS)[number];

export interface BenchOptions {
  size: BenchSize;
  workloads: WorkloadId[];
  /** Repetitions of the warm-latency workload W5. */
  repeats: number;
}

export function parseOptions(argv: string[]): BenchOptions {
  const options: BenchOptions = { size: 'small', workloads: [...ALL_WORKLOADS], repeats: 20 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--size') {
      const size = value();
      if (!(size in SIZES)) throw new Error(`--size must be one of ${Object.keys(SIZES).join(', ')}`);
      options.size = size as BenchSize;
    } else if (flag === '--workloads') {
      const ids = value().split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
      for (const id of ids) if (!(ALL_WORKLOADS as readonly string[]).includes(id)) throw new Error(`unknown workload ${id}`);
      options.workloads = ids as WorkloadId[];
    } else if (flag === '--repeats') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error('--repeats must be a positive integer');
      options.repeats = n;
    } else {
      throw new Error(`unknown option ${argv[i]} (use --size small|medium|large, --workloads W1,W2,..., --repeats N)`);
    }
  }
  return options;
}
