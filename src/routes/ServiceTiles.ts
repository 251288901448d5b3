import type { Request, Response } from 'express';
import { Resource } from '../http/Resource';
import { clientGoneSignal } from '../http/clientGone';
import { queryValue } from '../http/paging';
import type { CachedTile } from '../services/TileCache';
import { readTileAddress } from '../services/tileGrid';
import { readWmtsRequest } from '../services/wmtsRequest';

/** A PNG tile with a strong ETag; a client that has it already gets 304. */
function sendTile(req: Request, res: Response, tile: CachedTile): void {
  res.setHeader('ETag', tile.etag);
  res.setHeader('Cache-Control', 'public, max-age=60');
  const known = req.headers['if-none-match'];
  if (known !== undefined && known.split(',').some((tag) => tag.trim() === tile.etag || tag.trim() === '*')) {
    res.status(304).end();
    return;
  }
  res.type('image/png').send(tile.png);
}

/**
 * `GET /services/{service_id}/tiles/{z}/{x}/{y}[?time=]`: one XYZ tile. Public: web maps send
 * no credentials, so the unguessable service id is the key.
 */
export class ServiceTile extends Resource {
  readonly path = '/services/{service_id}/tiles/{z}/{x}/{y}';

  async get(req: Request, res: Response): Promise<void> {
    const address = readTileAddress(String(req.params.z), String(req.params.x), String(req.params.y));
    const signal = clientGoneSignal(res);
    const tile = await this.ctx.services.tile(String(req.params.service_id), address, queryValue(req.query, 'time'), signal);
    sendTile(req, res, tile);
  }
}

/** `GET /services/{service_id}/wmts?SERVICE=WMTS&REQUEST=…`: WMTS 1.0.0 by key-value pairs, public like the tiles. */
export class ServiceWmts extends Resource {
  readonly path = '/services/{service_id}/wmts';

  async get(req: Request, res: Response): Promise<void> {
    const id = String(req.params.service_id);
    const request = readWmtsRequest(req.query);
    const signal = clientGoneSignal(res);
    if (request.request === 'GetCapabilities') {
      const xml = await this.ctx.services.capabilities(id, this.ctx.config.publicUrl, signal);
      res.type('application/xml').send(xml);
      return;
    }
    sendTile(req, res, await this.ctx.services.wmtsTile(id, request.layer, request.address, request.time, signal));
  }
}

/** `GET /collections/{collection_id}/preview/{z}/{x}/{y}`: the collection's default picture as XYZ tiles (its STAC `xyz` link). */
export class CollectionPreviewTile extends Resource {
  readonly path = '/collections/{collection_id}/preview/{z}/{x}/{y}';

  async get(req: Request, res: Response): Promise<void> {
    const address = readTileAddress(String(req.params.z), String(req.params.x), String(req.params.y));
    sendTile(req, res, await this.ctx.services.previewTile(String(req.params.collection_id), address, clientGoneSignal(res)));
  }
}
