import type { Request, Response } from 'express';
import { Resource } from '../http/Resource';
import { jobCursor, readJobCursor, readJobFields } from '../http/jobRequest';
import { pageLinks, readPageRequest } from '../http/paging';
import { readLogRequest, sendCreated, sendLogPage } from '../http/logRequest';
import type { ServiceInput } from '../services/MapServices';
import { serviceDocument } from '../services/serviceDocument';

/** The fields of a create or update body; the façade checks type, enabled and configuration. */
function serviceInput(body: unknown, creating: boolean): ServiceInput {
  const { title, description, logLevel, process } = readJobFields(body, creating);
  const raw = body as Record<string, unknown>;
  const input: ServiceInput = { type: raw.type, enabled: raw.enabled };
  if ('title' in raw) input.title = title;
  if ('description' in raw) input.description = description;
  if (logLevel !== undefined) input.logLevel = logLevel;
  if (process !== undefined) input.process = process;
  if ('configuration' in raw) input.configuration = raw.configuration;
  return input;
}

/** `GET /services`, `POST /services`. */
export class Services extends Resource {
  readonly path = '/services';
  protected readonly auth = { get: 'required', post: 'required' } as const;

  get(req: Request, res: Response): void {
    const page = readPageRequest(req.query);
    const { services, hasMore, last } = this.ctx.services.list(this.user(req).id, { limit: page.limit, after: readJobCursor(page.after) });
    const publicUrl = this.ctx.config.publicUrl;
    const links = pageLinks(`${publicUrl}/services`, page, { lastKey: last && jobCursor(last), hasMore });
    res.json({ services: services.map((s) => serviceDocument(s, publicUrl, false)), links });
  }

  post(req: Request, res: Response): void {
    const service = this.ctx.services.create(this.user(req).id, serviceInput(req.body, true));
    sendCreated(res, `${this.ctx.config.publicUrl}/services/${service.id}`, service.id);
  }
}

/** `GET`, `PATCH`, `DELETE /services/{service_id}`: the caller's own services only. */
export class ServiceItem extends Resource {
  readonly path = '/services/{service_id}';
  protected readonly auth = { get: 'required', patch: 'required', delete: 'required' } as const;

  get(req: Request, res: Response): void {
    const service = this.ctx.services.own(String(req.params.service_id), this.user(req).id);
    res.json(serviceDocument(service, this.ctx.config.publicUrl, true));
  }

  patch(req: Request, res: Response): void {
    this.ctx.services.update(String(req.params.service_id), this.user(req).id, serviceInput(req.body, false));
    res.status(204).end();
  }

  delete(req: Request, res: Response): void {
    this.ctx.services.delete(String(req.params.service_id), this.user(req).id);
    res.status(204).end();
  }
}

/** `GET /services/{service_id}/logs` with `offset` (last id seen), `limit` and `level`, as for jobs. */
export class ServiceLogs extends Resource {
  readonly path = '/services/{service_id}/logs';
  protected readonly auth = { get: 'required' } as const;

  get(req: Request, res: Response): void {
    const service = this.ctx.services.own(String(req.params.service_id), this.user(req).id);
    const asked = readLogRequest(req.query, service.logLevel);
    const logs = this.ctx.services.logs(service.id, asked.offset, asked.level, asked.limit);
    sendLogPage(res, `${this.ctx.config.publicUrl}/services/${service.id}/logs`, asked, logs);
  }
}
