import type { Request, Response } from 'express';
import { Resource } from '../http/Resource';
import { OpenEOError } from '../errors/OpenEOError';
import type { JobRecord } from '../jobs/types';
import { readLogRequest, sendCreated, sendLogPage } from '../http/logRequest';
import { jobDocument } from '../jobs/jobDocument';
import { jobCursor, readJobCursor, readJobFields } from '../http/jobRequest';
import { pageLinks, readPageRequest } from '../http/paging';
import { partialDocument } from '../jobs/stacResults';
import { isoDuration } from '../jobs/estimate';
import { openDownload, sendDownload } from '../workspace/download';

/** Base for the job endpoints: looks up the caller's own job; other users' jobs do not exist. */
abstract class JobResource extends Resource {
  protected ownJob(req: Request): JobRecord {
    const id = String(req.params.job_id);
    const job = this.ctx.jobs.ownJob(id, this.user(req).id);
    if (!job) throw new OpenEOError('JobNotFound', { identifier: id });
    return job;
  }

  /** Refuses graphs that cannot run; a failure of the validator itself is left to the run to report. */
  protected checkGraph(req: Request, process: Record<string, unknown>): void {
    let problems: OpenEOError[] = [];
    try {
      problems = this.ctx.jobs.problems(this.user(req).id, process);
    } catch (error) {
      this.ctx.logger.warn({ err: error }, 'process graph validation failed unexpectedly');
    }
    if (problems.length > 0) throw problems[0];
  }
}

/** `GET /jobs`, `POST /jobs`. */
export class Jobs extends JobResource {
  readonly path = '/jobs';
  protected readonly auth = { get: 'required', post: 'required' } as const;

  get(req: Request, res: Response): void {
    // Paged: the JS client's listJobs() asks for everything, and the Web Editor follows `next`.
    const page = readPageRequest(req.query);
    const { jobs, hasMore, last } = this.ctx.jobs.list(this.user(req).id, { limit: page.limit, after: readJobCursor(page.after) });
    const links = pageLinks(`${this.ctx.config.publicUrl}/jobs`, page, { lastKey: last && jobCursor(last), hasMore });
    res.json({ jobs: jobs.map((j) => jobDocument(j, this.ctx.config.publicUrl, false)), links });
  }

  post(req: Request, res: Response): void {
    const fields = readJobFields(req.body, true);
    this.checkGraph(req, fields.process!);
    const job = this.ctx.jobs.create(this.user(req).id, { ...fields, process: fields.process! });
    sendCreated(res, `${this.ctx.config.publicUrl}/jobs/${job.id}`, job.id);
  }
}

/** `GET`, `PATCH`, `DELETE /jobs/{job_id}`. */
export class JobItem extends JobResource {
  readonly path = '/jobs/{job_id}';
  protected readonly auth = { get: 'required', patch: 'required', delete: 'required' } as const;

  get(req: Request, res: Response): void {
    res.json(jobDocument(this.ownJob(req), this.ctx.config.publicUrl, true));
  }

  patch(req: Request, res: Response): void {
    const job = this.ownJob(req);
    const changes = readJobFields(req.body, false);
    if (Object.keys(changes).length === 0) throw new OpenEOError('NoDataForUpdate');
    if (job.status === 'queued' || job.status === 'running') throw new OpenEOError('JobLocked');
    if (changes.process) this.checkGraph(req, changes.process);
    if (!this.ctx.jobs.update(job.id, changes)) throw new OpenEOError('JobLocked');
    res.status(204).end();
  }

  delete(req: Request, res: Response): void {
    this.ctx.jobs.delete(this.ownJob(req).id);
    res.status(204).end();
  }
}

/** `POST` (start), `GET` (results document) and `DELETE` (cancel) `/jobs/{job_id}/results`. */
export class JobResults extends JobResource {
  readonly path = '/jobs/{job_id}/results';
  protected readonly auth = { get: 'required', post: 'required', delete: 'required' } as const;

  get(req: Request, res: Response): void {
    const job = this.ownJob(req);
    const partial = req.query.partial === '' || req.query.partial === 'true';
    const publicUrl = this.ctx.config.publicUrl;
    switch (job.status) {
      case 'finished':
        if (job.resultsExpired) {
          throw new OpenEOError('ResultLinkExpired', {}, 'The result files of this job were deleted after the retention time; start the job again to recompute them.');
        }
        res.setHeader('OpenEO-Costs', '0');
        res.json(this.ctx.jobs.resultsDocument(job));
        return;
      case 'error': {
        const entry = this.ctx.jobs.lastError(job.id) ?? { id: '0', level: 'error', message: 'The batch job failed.', time: job.updated };
        res.status(424).json(entry);
        return;
      }
      case 'running':
      case 'canceled':
        if (partial) {
          res.json(partialDocument(job, job.status, publicUrl));
          return;
        }
        throw new OpenEOError('JobNotFinished');
      default:
        throw new OpenEOError(partial ? 'JobNotStarted' : 'JobNotFinished');
    }
  }

  post(req: Request, res: Response): void {
    const job = this.ownJob(req);
    // Starting a queued or running job changes nothing.
    this.ctx.jobs.startJob(job.id);
    res.status(202).end();
  }

  delete(req: Request, res: Response): void {
    const job = this.ownJob(req);
    if (job.status === 'queued' || job.status === 'running') this.ctx.jobs.cancel(job.id);
    res.status(204).end();
  }
}

/** `GET /jobs/{job_id}/logs` with `offset` (last id seen), `limit` and `level`. */
export class JobLogs extends JobResource {
  readonly path = '/jobs/{job_id}/logs';
  protected readonly auth = { get: 'required' } as const;

  get(req: Request, res: Response): void {
    const job = this.ownJob(req);
    const asked = readLogRequest(req.query, job.logLevel);
    const logs = this.ctx.jobs.logs(job.id, asked.offset, asked.level, asked.limit);
    sendLogPage(res, `${this.ctx.config.publicUrl}/jobs/${job.id}/logs`, asked, logs);
  }
}

/** `GET /jobs/{job_id}/estimate`: input size from the catalogue, time from measured throughput. */
export class JobEstimate extends JobResource {
  readonly path = '/jobs/{job_id}/estimate';
  protected readonly auth = { get: 'required' } as const;

  get(req: Request, res: Response): void {
    const job = this.ownJob(req);
    const estimate = this.ctx.jobs.estimate(job);
    res.json({ duration: isoDuration(estimate.seconds), size: estimate.bytes, downloads_included: null });
  }
}

/**
 * `GET`/`HEAD /jobs/{job_id}/results/{path}`: downloads a result file through a signed link,
 * without a bearer token, with ranges and HEAD like every download.
 */
export class JobResultFile extends Resource {
  readonly path = '/jobs/{job_id}/results/{path}';

  async get(req: Request, res: Response): Promise<void> {
    const jobId = String(req.params.job_id);
    const raw = req.params.path as unknown;
    const file = Array.isArray(raw) ? raw.join('/') : String(raw ?? '');
    const result = this.ctx.jobs.resultFile(jobId, file, req.query.expires, req.query.signature);
    const name = file.split('/').pop()!;
    // Deleted by a restart of the job or retention since it was looked up.
    const download = await openDownload(result.path, name, result.output.mediaType).catch(() => {
      throw new OpenEOError('FileNotFound', { file });
    });
    await sendDownload(req, res, download);
  }
}
