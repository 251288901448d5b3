import type { Request, Response } from 'express';
import { Resource } from '../http/Resource';
import { OpenEOError } from '../errors/OpenEOError';
import type { JobRecord, LogLevel } from '../jobs/types';
import { isLogLevel, levelAtLeast } from '../jobs/types';
import { jobDocument } from '../jobs/jobDocument';
import { jobCursor, readJobCursor, readJobFields } from '../jobs/jobRequest';
import { pageLinks, readLimit, readPageRequest } from '../http/paging';
import { partialDocument, resultsDocument } from '../jobs/stacResults';
import { estimateJob, isoDuration } from '../jobs/estimate';

/** Base for the job endpoints: looks up the caller's own job; other users' jobs do not exist. */
abstract class JobResource extends Resource {
  protected ownJob(req: Request): JobRecord {
    const id = String(req.params.job_id);
    const job = this.ctx.jobs.store.getOwned(id, this.user(req).id);
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
    const { jobs, hasMore, last } = this.ctx.jobs.store.list(this.user(req).id, { limit: page.limit, after: readJobCursor(page.after) });
    const links = pageLinks(`${this.ctx.config.publicUrl}/jobs`, page, { lastKey: last && jobCursor(last), hasMore });
    res.json({ jobs: jobs.map((j) => jobDocument(j, this.ctx.config.publicUrl, false)), links });
  }

  post(req: Request, res: Response): void {
    const fields = readJobFields(req.body, true);
    this.checkGraph(req, fields.process!);
    const job = this.ctx.jobs.store.create(this.user(req).id, { ...fields, process: fields.process! });
    res.setHeader('Location', `${this.ctx.config.publicUrl}/jobs/${job.id}`);
    res.setHeader('OpenEO-Identifier', job.id);
    res.status(201).end();
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
    if (!this.ctx.jobs.store.update(job.id, changes)) throw new OpenEOError('JobLocked');
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
        res.json(resultsDocument(job, this.ctx.jobs.links, publicUrl));
        return;
      case 'error': {
        const entry = this.ctx.jobs.store.lastError(job.id) ?? { id: '0', level: 'error', message: 'The batch job failed.', time: job.updated };
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
    if (job.status !== 'queued' && job.status !== 'running') {
      const limit = this.ctx.config.limits.jobsPerUser;
      const active = this.ctx.jobs.store.activeCount(job.userId);
      if (active >= limit) {
        throw new OpenEOError('TooManyRequests', {
          reason: `You already have ${active} batch jobs queued or running (limit ${limit}); start this one when one of them has finished, or cancel one.`,
        }).withHeader('Retry-After', '60');
      }
      this.ctx.jobs.enqueue(job.id);
    }
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
    const requested = req.query.level;
    if (requested !== undefined && requested !== '' && !isLogLevel(requested)) {
      throw new OpenEOError('BadRequest', { reason: "'level' must be one of error, warning, info, debug" });
    }
    // The effective minimum is the stricter of what the job stores and what the request asks for.
    const asked: LogLevel = isLogLevel(requested) ? requested : 'debug';
    const level = levelAtLeast(asked, job.logLevel) ? asked : job.logLevel;
    const offset = typeof req.query.offset === 'string' && /^\d{1,15}$/.test(req.query.offset) ? Number(req.query.offset) : 0;
    const limit = readLimit(req.query);
    const logs = this.ctx.jobs.store.logs(job.id, offset, level, limit ?? -1);
    const links: Array<Record<string, string>> = [];
    if (limit !== undefined && logs.length === limit) {
      const params = new URLSearchParams({ offset: logs[logs.length - 1].id, limit: String(limit), ...(isLogLevel(requested) ? { level: requested } : {}) });
      links.push({ rel: 'next', href: `${this.ctx.config.publicUrl}/jobs/${job.id}/logs?${params}`, type: 'application/json' });
    }
    res.json({ level, logs, links });
  }
}

/** `GET /jobs/{job_id}/estimate`: input size from the catalogue, time from measured throughput. */
export class JobEstimate extends JobResource {
  readonly path = '/jobs/{job_id}/estimate';
  protected readonly auth = { get: 'required' } as const;

  get(req: Request, res: Response): void {
    const job = this.ownJob(req);
    const estimate = estimateJob(job.process, this.ctx.catalog, this.ctx.jobs.store);
    res.json({ duration: isoDuration(estimate.seconds), size: estimate.bytes, downloads_included: null });
  }
}

/**
 * `GET`/`HEAD /jobs/{job_id}/results/{path}`: downloads a result file through a signed link,
 * without a bearer token. Ranges, HEAD and conditional requests are handled by Express.
 */
export class JobResultFile extends Resource {
  readonly path = '/jobs/{job_id}/results/{path}';

  async get(req: Request, res: Response): Promise<void> {
    const jobId = String(req.params.job_id);
    const raw = req.params.path as unknown;
    const file = Array.isArray(raw) ? raw.join('/') : String(raw ?? '');
    const verdict = this.ctx.jobs.links.check(jobId, file, req.query.expires, req.query.signature);
    if (verdict === 'invalid') throw new OpenEOError('PermissionsInsufficient', {}, 'This download link is not valid; request the job results again for valid links.');
    if (verdict === 'expired') throw new OpenEOError('ResultLinkExpired');
    const job = this.ctx.jobs.store.get(jobId);
    const output = job?.status === 'finished' && !job.resultsExpired ? job.outputs?.find((o) => o.file === file) : undefined;
    const absolute = output ? this.ctx.jobs.files.resolveResult(jobId, file) : undefined;
    if (!output || !absolute) throw new OpenEOError('FileNotFound', { file });
    const name = file.split('/').pop()!.replace(/[^\w.\-]/g, '_');
    await new Promise<void>((resolve, reject) => {
      res.sendFile(
        absolute,
        {
          dotfiles: 'allow',
          acceptRanges: true,
          cacheControl: false,
          headers: {
            'Content-Type': output.mediaType,
            'Content-Disposition': `attachment; filename="${name}"`,
            'Cache-Control': 'private, max-age=0',
          },
        },
        (error) => (error && !res.headersSent ? reject(new OpenEOError('FileNotFound', { file })) : resolve()),
      );
    });
  }
}
