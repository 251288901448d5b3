import type { Request, Response } from 'express';
import { Resource } from '../http/Resource';
import { userStorageUsage } from '../store/storage';

/** `GET /me`: who is logged in and how much storage they have left. */
export class Me extends Resource {
  readonly path = '/me';
  protected readonly auth = { get: 'required' } as const;

  async get(req: Request, res: Response): Promise<void> {
    const user = this.user(req);
    const quota = user.storageQuota ?? this.ctx.config.auth.defaultStorageQuotaBytes;
    const used = await userStorageUsage(this.ctx.config.dataDir, user.id);
    res.json({
      user_id: user.id,
      name: user.name,
      ...(user.email ? { email: user.email } : {}),
      storage: { free: Math.max(0, quota - used), quota },
      links: [],
    });
  }
}
