import type { CubeShape, LabelDimension } from '../raster/cube/model';
import { axisCoordinates } from '../raster/cube/model';
import { labelInstant, parseInstant } from '../raster/cube/time';
import { encodeValues, NcAttribute, NcFile, NcType, NcVariable } from './netcdfClassic';

/** NetCDF variable names: letters, digits and underscores, not starting with a digit. */
export function variableName(label: string, taken: Set<string>): string {
  let name = label.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(name)) name = `v_${name}`;
  let unique = name;
  for (let i = 2; taken.has(unique); i++) unique = `${name}_${i}`;
  taken.add(unique);
  return unique;
}

/** Reads `rows` rows from `row` on of one plane (date × band) of the scratch GeoTIFF, in the output type. */
export type PlaneReader = (plane: number, row: number, rows: number) => Promise<Float32Array | Float64Array>;

/** Rows read and written at once: bounds the memory of one variable's copy. */
const STRIP_ROWS = 256;

/** Fixed-width text variable over `dim` (NetCDF classic has no strings): a char matrix xarray reads as strings. */
function textVariable(name: string, dim: string, lengthDim: string, texts: string[], width: number, attributes: Record<string, NcAttribute>): NcVariable {
  return {
    name,
    dims: [dim, lengthDim],
    type: 'char',
    attributes: { ...attributes, _Encoding: 'utf-8' },
    async write(put) {
      const b = Buffer.alloc(texts.length * width);
      texts.forEach((t, i) => b.write(t, i * width, 'utf8'));
      await put(b);
    },
  };
}

function numericVariable(name: string, dims: string[], type: NcType, values: number[], attributes: Record<string, NcAttribute>): NcVariable {
  return { name, dims, type, attributes, write: (put) => put(encodeValues(type, values)) };
}

/** The time coordinate: instants when every label has one (with the labels beside it when they are no instants), else the labels. */
function timeVariables(dim: LabelDimension, dims: NcFile['dims'], taken: Set<string>): { variables: NcVariable[]; auxiliary: string[] } {
  const labels = dim.labels.map(String);
  const instants = dim.labels.map((l) => labelInstant(dim, l));
  const width = Math.max(1, ...labels.map((l) => Buffer.byteLength(l, 'utf8')));
  if (instants.some((t) => !Number.isFinite(t))) {
    const lengthDim = variableName(`${dim.name}_length`, taken);
    dims.push({ name: lengthDim, length: width });
    return { variables: [textVariable(dim.name, dim.name, lengthDim, labels, width, { long_name: dim.name })], auxiliary: [] };
  }
  const time = numericVariable(dim.name, [dim.name], 'double', instants.map((t) => t / 1000), {
    standard_name: 'time',
    long_name: 'time',
    units: 'seconds since 1970-01-01 00:00:00',
    calendar: 'standard',
    axis: 'T',
  });
  if (labels.every((l) => !Number.isNaN(parseInstant(l)))) return { variables: [time], auxiliary: [] };
  // Period labels ("2023-06", "2023-djf") or renamed ones: the coordinate is the start, the label stays beside it.
  const labelName = variableName(`${dim.name}_label`, taken);
  const lengthDim = variableName(`${labelName}_length`, taken);
  dims.push({ name: lengthDim, length: width });
  const label = textVariable(labelName, dim.name, lengthDim, labels, width, { long_name: `label of ${dim.name}` });
  return { variables: [time, label], auxiliary: [labelName] };
}

/**
 * The NetCDF file for a cube with a grid, at most one temporal and at most one other dimension:
 * CF dimensions (t,) y and x with coordinate variables, the CRS as grid mapping variable `crs`,
 * and one variable per band label, in the cube's band order, read plane by plane through `read`.
 */
export function netcdfLayout(cube: CubeShape, read: PlaneReader, type: 'float' | 'double', gridMapping: Record<string, NcAttribute> | null): NcFile {
  const grid = cube.grid!;
  const timeIndex = cube.dims.findIndex((d) => d.type === 'temporal');
  const bandIndex = cube.dims.findIndex((d) => d.type !== 'temporal');
  const timeDim = timeIndex >= 0 ? cube.dims[timeIndex] : null;
  const bandDim = bandIndex >= 0 ? cube.dims[bandIndex] : null;
  const geographic = gridMapping?.grid_mapping_name === 'latitude_longitude';
  const taken = new Set<string>(['x', 'y', 'crs', ...(timeDim ? [timeDim.name] : [])]);
  const dims: NcFile['dims'] = [];
  const variables: NcVariable[] = [];
  const auxiliary: string[] = [];
  if (timeDim) {
    dims.push({ name: timeDim.name, length: timeDim.labels.length });
    const time = timeVariables(timeDim, dims, taken);
    variables.push(...time.variables);
    auxiliary.push(...time.auxiliary);
  }
  dims.push({ name: 'y', length: grid.height }, { name: 'x', length: grid.width });
  for (const axis of ['y', 'x'] as const) {
    const attributes: Record<string, NcAttribute> = geographic
      ? { standard_name: axis === 'x' ? 'longitude' : 'latitude', units: axis === 'x' ? 'degrees_east' : 'degrees_north' }
      : { standard_name: axis === 'x' ? 'projection_x_coordinate' : 'projection_y_coordinate', units: 'm' };
    variables.push(numericVariable(axis, [axis], 'double', axisCoordinates(grid, axis), { ...attributes, axis: axis.toUpperCase() }));
  }
  if (gridMapping) {
    // Listed in the data variables' `coordinates` too: xarray then keeps it a coordinate, not a second data variable.
    variables.push(numericVariable('crs', [], 'int', [0], gridMapping));
    auxiliary.push('crs');
  }
  // Where each (date, band) plane is in the scratch GeoTIFF: tile-layout order of the cube dims.
  const nTimes = timeDim ? timeDim.labels.length : 1;
  const nBands = bandDim ? bandDim.labels.length : 1;
  const planeOf = (t: number, b: number): number => {
    if (!timeDim || !bandDim) return timeDim ? t : b;
    return timeIndex < bandIndex ? t * nBands + b : b * nTimes + t;
  };
  for (let b = 0; b < nBands; b++) {
    const attributes: Record<string, NcAttribute> = { _FillValue: { type, values: [NaN] } };
    if (bandDim) attributes.long_name = String(bandDim.labels[b]);
    if (gridMapping) attributes.grid_mapping = 'crs';
    if (auxiliary.length) attributes.coordinates = auxiliary.join(' ');
    variables.push({
      name: variableName(bandDim ? String(bandDim.labels[b]) : 'data', taken),
      dims: [...(timeDim ? [timeDim.name] : []), 'y', 'x'],
      type,
      attributes,
      async write(put) {
        for (let t = 0; t < nTimes; t++) {
          for (let row = 0; row < grid.height; row += STRIP_ROWS) {
            const values = await read(planeOf(t, b), row, Math.min(STRIP_ROWS, grid.height - row));
            const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
            await put(type === 'float' ? bytes.swap32() : bytes.swap64());
          }
        }
      },
    });
  }
  return { dims, attributes: { Conventions: 'CF-1.7' }, variables };
}
