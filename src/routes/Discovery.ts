import type { Request, Response } from 'express';
import { Resource } from '../http/Resource';
import { fileFormatsDocument } from '../raster/formats';
import { serviceTypesDocument } from '../services/serviceTypes';
import { udfRuntimesDocument } from '../udf/runtime';

/** `GET /file_formats`: the formats the writers (output) and readers (input) support. */
export class FileFormats extends Resource {
  readonly path = '/file_formats';

  get(_req: Request, res: Response): void {
    res.json(fileFormatsDocument());
  }
}

/** `GET /udf_runtimes`: the sandboxed Python with its libraries, as probed (nothing when UDFs are off or cannot start). */
export class UdfRuntimes extends Resource {
  readonly path = '/udf_runtimes';

  get(_req: Request, res: Response): void {
    res.json(udfRuntimesDocument(this.ctx.config.udf.enabled));
  }
}

/** `GET /service_types`: map previews as XYZ tiles and WMTS, with the settings they accept. */
export class ServiceTypes extends Resource {
  readonly path = '/service_types';

  get(_req: Request, res: Response): void {
    res.json(serviceTypesDocument());
  }
}
