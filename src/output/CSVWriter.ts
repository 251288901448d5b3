import fs from 'node:fs/promises';
import path from 'node:path';
import gdal from 'gdal-async';
import type { ProcessContext, SavedOutput } from '../run/context';
import { ProcessException } from '../errors/ProcessException';
import { isVectorCube } from '../vector/cube';
import { combinationCount, combinationLabels, readVectorTable } from '../vector/table';
import { FormatOptions } from './options';
import { OutputWriter } from './registry';

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Vector cubes as a table: one row per geometry and combination of the non-band labels (e.g.
 * per date), one column per band (`value` without a band dimension). The first columns are the
 * geometry's label, its Feature id and the labels of the row; the last is the geometry as WKT in the cube's CRS.
 */
export const csvWriter: OutputWriter = {
  info: {
    name: 'CSV',
    title: 'Comma-separated values',
    description: 'Vector data cubes as a table: one row per geometry and date (or other non-band labels), one column per band, plus the geometry as WKT.',
    gis_data_types: ['vector', 'table'],
    parameters: {},
  },

  async write(data: unknown, rawOptions: Record<string, unknown>, basename: string, ctx: ProcessContext): Promise<SavedOutput> {
    new FormatOptions('CSV', rawOptions, {});
    if (!isVectorCube(data)) throw new ProcessException('FormatUnsuitable', 'CSV stores vector data cubes only (e.g. the result of aggregate_spatial).');
    const table = await readVectorTable(data, ctx);
    const bandIndex = table.dims.findIndex((d) => d.type === 'bands');
    const rowDims = table.dims.filter((_, i) => i !== bandIndex);
    const columns = bandIndex >= 0 ? table.dims[bandIndex].labels.map(String) : ['value'];
    const lines = [['geometry', 'id', ...rowDims.map((d) => d.name), ...columns, 'wkt'].map(csvField).join(',')];
    const combinations = combinationCount(table.dims);
    table.features.forEach((feature, g) => {
      const wkt = feature.geometry ? gdal.Geometry.fromGeoJson(feature.geometry as unknown as object).toWKT() : '';
      // Group the row's combinations by their non-band labels; band values fill the columns.
      const rows = new Map<string, { labels: Array<string | number>; values: unknown[] }>();
      for (let k = 0; k < combinations; k++) {
        const labels = combinationLabels(table.dims, k);
        const rowLabels = labels.filter((_, i) => i !== bandIndex);
        const key = JSON.stringify(rowLabels);
        let row = rows.get(key);
        if (!row) rows.set(key, (row = { labels: rowLabels, values: new Array(columns.length).fill(null) }));
        row.values[bandIndex >= 0 ? table.dims[bandIndex].labels.indexOf(labels[bandIndex]) : 0] = table.rows[g][k];
      }
      for (const row of rows.values()) lines.push([g, feature.id ?? null, ...row.labels, ...row.values, wkt].map(csvField).join(','));
    });
    const filename = `${basename}.csv`;
    const target = path.join(ctx.workDir, filename);
    await fs.writeFile(target, lines.join('\n') + '\n');
    return { path: target, filename, mediaType: 'text/csv', format: 'CSV' };
  },
};
