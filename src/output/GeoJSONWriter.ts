import fs from 'node:fs/promises';
import path from 'node:path';
import type { ProcessContext, SavedOutput } from '../run/context';
import { ProcessException } from '../errors/ProcessException';
import { isVectorCube } from '../vector/cube';
import { reprojectSet } from '../geometry/reproject';
import { combinationCount, combinationLabels, readVectorTable } from '../vector/table';
import { FormatOptions } from './options';
import { OutputWriter } from './registry';

/**
 * Vector cubes as a GeoJSON FeatureCollection in WGS 84: each geometry keeps its properties and
 * gains one property per combination of the other dimensions' labels (joined with `_`, e.g.
 * `2023-01-05T00:00:00Z_B04`, or just `B04` for a single dimension); no-data is null.
 */
export const geojsonWriter: OutputWriter = {
  info: {
    name: 'GeoJSON',
    title: 'GeoJSON',
    description: 'Vector data cubes (e.g. from aggregate_spatial) as a FeatureCollection in WGS 84; the cube values become feature properties named by their labels.',
    gis_data_types: ['vector'],
    parameters: {},
  },

  async write(data: unknown, rawOptions: Record<string, unknown>, basename: string, ctx: ProcessContext): Promise<SavedOutput> {
    new FormatOptions('GeoJSON', rawOptions, {});
    if (!isVectorCube(data)) throw new ProcessException('FormatUnsuitable', 'GeoJSON stores vector data cubes only (e.g. the result of aggregate_spatial or load_geojson).');
    const table = await readVectorTable(data, ctx);
    const wgs84 = reprojectSet({ crs: table.crs, features: table.features }, 'EPSG:4326');
    const combinations = combinationCount(table.dims);
    const features = wgs84.features.map((f, g) => {
      const properties: Record<string, unknown> = { ...(f.properties ?? {}) };
      if (table.dims.length > 0) {
        for (let k = 0; k < combinations; k++) {
          const v = table.rows[g][k];
          properties[combinationLabels(table.dims, k).join('_')] = Number.isFinite(v) ? v : null;
        }
      }
      const feature: Record<string, unknown> = { type: 'Feature', geometry: f.geometry, properties };
      if (f.id !== undefined) feature.id = f.id;
      return feature;
    });
    const filename = `${basename}.geojson`;
    const target = path.join(ctx.workDir, filename);
    await fs.writeFile(target, JSON.stringify({ type: 'FeatureCollection', features }));
    return { path: target, filename, mediaType: 'application/geo+json', format: 'GeoJSON' };
  },
};
