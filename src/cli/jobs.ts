/** `npm run jobs -- status`: the operators' view of the `bullmq` runner's queue. */
import { ConfigError, loadConfig } from '../config/load';
import { queueStatus } from '../jobs/queue/queueStatus';

const USAGE = `The batch-job queue of the bullmq runner (jobs.runner: "bullmq").

  npm run jobs -- status     queued, running and failed units, the connected workers, the units running per job`;

function age(since: number | undefined): string {
  return since === undefined ? '' : `${Math.round((Date.now() - since) / 1000)} s`;
}

async function run(args: string[]): Promise<number> {
  const [command] = args;
  if (command !== 'status') {
    process.stdout.write(USAGE + '\n');
    return command === 'help' || command === '--help' ? 0 : 2;
  }
  const status = await queueStatus(loadConfig());
  const out = (line: string) => process.stdout.write(line + '\n');
  const { waiting, active, delayed, failed } = status.units;
  out(`units: ${waiting} waiting, ${active} running, ${delayed} delayed, ${failed} failed; ${status.reportsWaiting} reports not yet recorded`);
  out(`workers: ${status.workers.length}`);
  for (const w of status.workers) out(`  ${w.name}\t${w.addr}\tconnected ${w.ageSeconds} s`);
  const jobs = Object.entries(status.running);
  out(`running jobs: ${jobs.length}`);
  for (const [jobId, units] of jobs) {
    out(`  ${jobId}: ${units.length} unit(s)`);
    for (const u of units) out(`    ${u.unitId}\t${u.host ?? '?'}\ttoken ${u.token ?? '?'}\t${age(u.since)}`);
  }
  return 0;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const message = e instanceof ConfigError || e instanceof Error ? e.message : String(e);
    process.stderr.write(`jobs: ${message}\n`);
    process.exit(1);
  },
);
