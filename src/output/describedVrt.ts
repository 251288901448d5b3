import type { OutputBand } from './bandLayout';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface VrtSource {
  path: string;
  /**
   * Horizontal strips the image is stored in, top to bottom (a job computed in blocks); absent:
   * `path` holds the whole image.
   */
  strips?: Array<{ path: string; y: number; height: number }>;
  width: number;
  height: number;
  /** GDAL data type name, e.g. `Float32`. */
  dataType: string;
  /** Declared no-data value; null declares none. */
  nodata: number | null;
  /** Band metadata to carry over (labels, statistics), per band. */
  metadata: Array<Record<string, string>>;
  /** Internal overviews of the GeoTIFF to expose (a VRT does not pass them on by itself). */
  overviews?: number;
}

/**
 * A VRT (as XML text, which GDAL opens directly) exposing a GeoTIFF with band descriptions:
 * gdal-async cannot set descriptions itself, but drivers copy them from a VRT source.
 */
export function describedVrt(source: VrtSource, bands: OutputBand[], georef: { transform: number[]; srsWkt: string | null }): string {
  const nodata = source.nodata === null ? null : Number.isNaN(source.nodata) ? 'nan' : String(source.nodata);
  const parts = [`<VRTDataset rasterXSize="${source.width}" rasterYSize="${source.height}">`];
  if (georef.srsWkt) parts.push(`<SRS>${escapeXml(georef.srsWkt)}</SRS>`);
  parts.push(`<GeoTransform>${georef.transform.join(',')}</GeoTransform>`);
  bands.forEach((band, i) => {
    parts.push(`<VRTRasterBand dataType="${source.dataType}" band="${i + 1}">`);
    parts.push(`<Description>${escapeXml(band.description)}</Description>`);
    if (nodata !== null) parts.push(`<NoDataValue>${nodata}</NoDataValue>`);
    parts.push('<Metadata>');
    for (const [k, v] of Object.entries(source.metadata[i] ?? {})) parts.push(`<MDI key="${escapeXml(k)}">${escapeXml(v)}</MDI>`);
    parts.push('</Metadata>');
    for (const strip of source.strips ?? [{ path: source.path, y: 0, height: source.height }]) {
      const rect = source.strips ? stripRects(source.width, strip) : '';
      parts.push(
        `<SimpleSource><SourceFilename relativeToVRT="0">${escapeXml(strip.path)}</SourceFilename><SourceBand>${i + 1}</SourceBand>${rect}</SimpleSource>`,
      );
    }
    // GDAL numbers a GeoTIFF's images from 1 (full resolution); overviews follow, largest first.
    for (let o = 0; o < (source.overviews ?? 0); o++) {
      parts.push(
        `<Overview><SourceFilename relativeToVRT="0">GTIFF_DIR:${o + 2}:${escapeXml(source.path)}</SourceFilename><SourceBand>${i + 1}</SourceBand></Overview>`,
      );
    }
    parts.push('</VRTRasterBand>');
  });
  parts.push('</VRTDataset>');
  return parts.join('');
}

function stripRects(width: number, strip: { y: number; height: number }): string {
  return (
    `<SrcRect xOff="0" yOff="0" xSize="${width}" ySize="${strip.height}"/>` +
    `<DstRect xOff="0" yOff="${strip.y}" xSize="${width}" ySize="${strip.height}"/>`
  );
}
