import type { JobRecord } from './types';

/**
 * A job as `GET /jobs/{job_id}` shows it. The listing (`full = false`) leaves out the
 * non-scalar fields, as the API recommends for short list responses.
 */
export function jobDocument(job: JobRecord, publicUrl: string, full: boolean): Record<string, unknown> {
  const doc: Record<string, unknown> = { id: job.id };
  if (job.title !== null) doc.title = job.title;
  if (job.description !== null) doc.description = job.description;
  if (full) doc.process = job.process;
  doc.status = job.status;
  // Created jobs have no progress yet; queued ones are at 0 and finished ones at 100 by definition.
  if (job.status === 'queued') doc.progress = 0;
  else if (job.status === 'finished') doc.progress = 100;
  else if (job.status !== 'created' && job.progress !== null) doc.progress = job.progress;
  doc.created = job.created;
  doc.updated = job.updated;
  if (job.plan !== null) doc.plan = job.plan;
  if (job.budget !== null) doc.budget = job.budget;
  doc.log_level = job.logLevel;
  if (full) {
    if (job.usage) doc.usage = job.usage;
    const base = `${publicUrl}/jobs/${job.id}`;
    const links: Array<Record<string, string>> = [{ rel: 'monitor', href: `${base}/logs`, type: 'application/json', title: 'Batch job logs' }];
    if (job.status === 'finished' && !job.resultsExpired) {
      links.push({ rel: 'result', href: `${base}/results`, type: 'application/json', title: 'Batch job results' });
    }
    doc.links = links;
  }
  return doc;
}
