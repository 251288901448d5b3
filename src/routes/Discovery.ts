import type { Request, Response } from 'express';
import { Resource } from '../http/Resource';
import { fileFormatsDocument } from '../raster/formats';
import { serviceTypesDocument } from '../services/serviceTypes';

/** `GET /file_formats`: the formats the writers (output) and readers (input) support. */
export class FileFormats extends Resource {
  readonly path = '/file_formats';

  get(_req: Request, res: Response): void {
    res.json(fileFormatsDocument());
  }
}

/** `GET /udf_runtimes`: no user-defined-function runtimes are offered. */
export class UdfRuntimes extends Resource {
  readonly path = '/udf_runtimes';

  get(_req: Request, res: Response): void {
    res.json({});
  }
}

/** `GET /service_types`: map previews as XYZ tiles and WMTS, with the settings they accept. */
export class ServiceTypes extends Resource {
  readonly path = '/service_types';

  get(_req: Request, res: Response): void {
    res.json(serviceTypesDocument());
  }
}
