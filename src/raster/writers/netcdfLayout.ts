import type { DataCube } from '../cube/DataCube';
import { axisCoordinates } from '../cube/model';
import { parseInstant } from '../cube/time';
import { spatialReference } from '../../gdal/srs';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function attribute(name: string, value: string): string {
  return `<Attribute name="${name}"><DataType>String</DataType><Value>${escapeXml(value)}</Value></Attribute>`;
}

/** NetCDF variable names: letters, digits and underscores, not starting with a digit. */
export function variableName(label: string, taken: Set<string>): string {
  let name = label.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(name)) name = `v_${name}`;
  let unique = name;
  for (let i = 2; taken.has(unique); i++) unique = `${name}_${i}`;
  taken.add(unique);
  return unique;
}

/**
 * A GDAL multidimensional VRT describing the NetCDF file to create: CF dimensions t (seconds
 * since 1970 in the standard calendar), y and x with coordinate variables, and one variable per
 * band label whose 2D slices come from the bands of the scratch GeoTIFF (one per date × band).
 */
export function netcdfVrt(cube: DataCube, scratchTif: string, dataType: string, nodata: number): string {
  const grid = cube.grid!;
  const timeIndex = cube.dims.findIndex((d) => d.type === 'temporal');
  const bandIndex = cube.dims.findIndex((d) => d.type !== 'temporal');
  const timeDim = timeIndex >= 0 ? cube.dims[timeIndex] : null;
  const bandDim = bandIndex >= 0 ? cube.dims[bandIndex] : null;
  const srs = grid.crs ? spatialReference(grid.crs) : null;
  const geographic = srs ? srs.isGeographic() : false;
  const parts: string[] = ['<VRTDataset><Group name="/">'];
  if (timeDim) parts.push(`<Dimension name="${timeDim.name}" type="TEMPORAL" size="${timeDim.labels.length}" indexingVariable="${timeDim.name}"/>`);
  parts.push(`<Dimension name="y" type="HORIZONTAL_Y" size="${grid.height}" indexingVariable="y"/>`);
  parts.push(`<Dimension name="x" type="HORIZONTAL_X" size="${grid.width}" indexingVariable="x"/>`);
  if (timeDim) {
    const seconds = timeDim.labels.map((l) => parseInstant(String(l)) / 1000);
    parts.push(`<Array name="${timeDim.name}"><DataType>Float64</DataType><DimensionRef ref="${timeDim.name}"/>`);
    parts.push(`<InlineValues>${seconds.join(' ')}</InlineValues>`);
    parts.push(attribute('standard_name', 'time'), attribute('long_name', 'time'), attribute('units', 'seconds since 1970-01-01 00:00:00'));
    parts.push(attribute('calendar', 'standard'), attribute('axis', 'T'), '</Array>');
  }
  for (const axis of ['y', 'x'] as const) {
    const values = axisCoordinates(grid, axis);
    const step = axis === 'x' ? grid.transform[1] : grid.transform[5];
    const start = values.length ? values[0] : 0;
    parts.push(`<Array name="${axis}"><DataType>Float64</DataType><DimensionRef ref="${axis}"/>`);
    parts.push(`<RegularlySpacedValues start="${start}" increment="${step}"/>`);
    if (geographic) {
      parts.push(attribute('standard_name', axis === 'x' ? 'longitude' : 'latitude'));
      parts.push(attribute('units', axis === 'x' ? 'degrees_east' : 'degrees_north'));
    } else {
      parts.push(attribute('standard_name', axis === 'x' ? 'projection_x_coordinate' : 'projection_y_coordinate'));
      parts.push(attribute('units', 'm'));
    }
    parts.push(attribute('axis', axis.toUpperCase()), '</Array>');
  }
  // Where each (date, band) plane is in the scratch GeoTIFF: tile-layout order of the cube dims.
  const nTimes = timeDim ? timeDim.labels.length : 1;
  const nBands = bandDim ? bandDim.labels.length : 1;
  const planeOf = (t: number, b: number): number => {
    if (!timeDim || !bandDim) return timeDim ? t : b;
    return timeIndex < bandIndex ? t * nBands + b : b * nTimes + t;
  };
  const spatialDims = timeDim ? 3 : 2;
  const lonLatOrder = srs ? srs.EPSGTreatsAsLatLong() : false;
  // SRS axis → array dimension (1-based): x is the last dimension, y the one before.
  const mapping = lonLatOrder ? `${spatialDims - 1},${spatialDims}` : `${spatialDims},${spatialDims - 1}`;
  const nodataText = Number.isNaN(nodata) ? 'NaN' : String(nodata);
  const taken = new Set<string>(['x', 'y', ...(timeDim ? [timeDim.name] : [])]);
  for (let b = 0; b < nBands; b++) {
    const name = variableName(bandDim ? String(bandDim.labels[b]) : 'data', taken);
    parts.push(`<Array name="${name}"><DataType>${dataType}</DataType>`);
    if (timeDim) parts.push(`<DimensionRef ref="${timeDim.name}"/>`);
    parts.push('<DimensionRef ref="y"/><DimensionRef ref="x"/>');
    if (srs) parts.push(`<SRS dataAxisToSRSAxisMapping="${mapping}">${escapeXml(srs.toWKT())}</SRS>`);
    parts.push(`<NoDataValue>${nodataText}</NoDataValue>`);
    if (bandDim) parts.push(attribute('long_name', String(bandDim.labels[b])));
    for (let t = 0; t < nTimes; t++) {
      const plane = planeOf(t, b) + 1;
      parts.push(`<Source><SourceFilename relativeToVRT="0">${escapeXml(scratchTif)}</SourceFilename><SourceBand>${plane}</SourceBand>`);
      if (timeDim) parts.push(`<SourceView>[newaxis,...]</SourceView><DestSlab offset="${t},0,0"/>`);
      else parts.push('<DestSlab offset="0,0"/>');
      parts.push('</Source>');
    }
    parts.push('</Array>');
  }
  parts.push('</Group></VRTDataset>');
  return parts.join('');
}
