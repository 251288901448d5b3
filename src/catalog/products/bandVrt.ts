import type { GridInfo } from '../types';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface BandOnGrid {
  href: string;
  band: number;
  /** The band file's own grid (e.g. 20 m). */
  grid: GridInfo;
  /** WKT of the file's CRS. */
  wkt: string;
  nodata: number | null;
  /** stored' = stored × ratio + add, bringing the product's values onto the collection's scale. */
  ratio: number;
  add: number;
  dataType: string;
}

/**
 * A VRT (as the XML string GDAL opens directly) that shows one band file on another grid of
 * the same CRS: a 20 m or 60 m band on the product's 10 m grid (nearest neighbour, so each
 * coarse pixel is repeated), with the stored values shifted when the product's offset differs
 * from the collection's. The reader then sees every band of an item on the item's grid.
 */
export function bandVrt(source: BandOnGrid, target: GridInfo): string {
  const [bx, bdx, , by, , bdy] = source.grid.geoTransform;
  const [tx, tdx, , ty, , tdy] = target.geoTransform;
  const dst = {
    xOff: (bx - tx) / tdx,
    yOff: (by - ty) / tdy,
    xSize: (source.grid.width * bdx) / tdx,
    ySize: (source.grid.height * bdy) / tdy,
  };
  const nodata = source.nodata === null ? '' : `<NoDataValue>${source.nodata}</NoDataValue>`;
  const srcNodata = source.nodata === null ? '' : `<NODATA>${source.nodata}</NODATA>`;
  const scaling = source.ratio !== 1 || source.add !== 0 ? `<ScaleOffset>${source.add}</ScaleOffset><ScaleRatio>${source.ratio}</ScaleRatio>` : '';
  return (
    `<VRTDataset rasterXSize="${target.width}" rasterYSize="${target.height}">` +
    `<SRS dataAxisToSRSAxisMapping="1,2">${escapeXml(source.wkt)}</SRS>` +
    `<GeoTransform>${target.geoTransform.join(',')}</GeoTransform>` +
    `<VRTRasterBand dataType="${source.dataType}" band="1">${nodata}` +
    `<ComplexSource resampling="nearest"><SourceFilename relativeToVRT="0">${escapeXml(source.href)}</SourceFilename>` +
    `<SourceBand>${source.band}</SourceBand>` +
    `<SrcRect xOff="0" yOff="0" xSize="${source.grid.width}" ySize="${source.grid.height}"/>` +
    `<DstRect xOff="${dst.xOff}" yOff="${dst.yOff}" xSize="${dst.xSize}" ySize="${dst.ySize}"/>` +
    `${srcNodata}${scaling}</ComplexSource></VRTRasterBand></VRTDataset>`
  );
}
