import { migrate, type Db } from '../store/database';
import type { RunState } from './units/orchestration';

const STEPS = [
  `CREATE TABLE job_runs (
     job_id TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
     state TEXT NOT NULL
   );`,
];

/** The course of each running job through its units (see units/orchestration.ts), kept so a restarted server can pick it up. */
export class RunStateStore {
  private readonly selectOne;
  private readonly upsert;
  private readonly removeOne;

  constructor(private readonly db: Db) {
    migrate(db, 'job_runs', STEPS);
    this.selectOne = db.prepare('SELECT state FROM job_runs WHERE job_id = ?');
    this.upsert = db.prepare('INSERT INTO job_runs (job_id, state) VALUES (?, ?) ON CONFLICT(job_id) DO UPDATE SET state = excluded.state');
    this.removeOne = db.prepare('DELETE FROM job_runs WHERE job_id = ?');
  }

  get(jobId: string): RunState | undefined {
    const row = this.selectOne.get(jobId) as { state: string } | undefined;
    return row ? (JSON.parse(row.state) as RunState) : undefined;
  }

  put(jobId: string, state: RunState): void {
    this.upsert.run(jobId, JSON.stringify(state));
  }

  remove(jobId: string): void {
    this.removeOne.run(jobId);
  }
}
