/**
 * The WMTS 1.0.0 capabilities document of a service: one layer, the Google Maps compatible
 * matrix set under the identifier EPSG:3857, tiles by KVP GetTile and by a REST template on
 * the XYZ tile route, and a TIME dimension when the result has dates.
 */
import { escapeXml } from '../output/describedVrt';
import { MAX_ZOOM, TILE_PIXELS, WORLD_HALF_METRES, ZOOM0_SCALE_DENOMINATOR } from './tileGrid';

export const TILE_MATRIX_SET = 'EPSG:3857';

export interface CapabilitiesInput {
  /** The layer's identifier (what GetTile's LAYER must say). */
  layer: string;
  title: string;
  abstract?: string | null;
  /** The service's WMTS URL (KVP requests go here). */
  wmtsUrl: string;
  /** The XYZ template base, e.g. `<base>/services/<id>/tiles`. */
  tilesUrl: string;
  dates: string[];
}

function tileMatrix(z: number): string {
  const count = 2 ** z;
  return `<TileMatrix><ows:Identifier>${z}</ows:Identifier><ScaleDenominator>${ZOOM0_SCALE_DENOMINATOR / count}</ScaleDenominator>` +
    `<TopLeftCorner>${-WORLD_HALF_METRES} ${WORLD_HALF_METRES}</TopLeftCorner><TileWidth>${TILE_PIXELS}</TileWidth><TileHeight>${TILE_PIXELS}</TileHeight>` +
    `<MatrixWidth>${count}</MatrixWidth><MatrixHeight>${count}</MatrixHeight></TileMatrix>`;
}

function operation(name: string, url: string): string {
  return `<ows:Operation name="${name}"><ows:DCP><ows:HTTP><ows:Get xlink:href="${escapeXml(url)}?"><ows:Constraint name="GetEncoding"><ows:AllowedValues><ows:Value>KVP</ows:Value></ows:AllowedValues></ows:Constraint></ows:Get></ows:HTTP></ows:DCP></ows:Operation>`;
}

export function wmtsCapabilities(input: CapabilitiesInput): string {
  const { dates } = input;
  const dimension =
    dates.length > 0
      ? `<Dimension><ows:Identifier>Time</ows:Identifier><UOM>ISO8601</UOM><Default>${escapeXml(dates[dates.length - 1])}</Default><Current>false</Current>` +
        dates.map((d) => `<Value>${escapeXml(d)}</Value>`).join('') +
        '</Dimension>'
      : '';
  const template = `${input.tilesUrl}/{TileMatrix}/{TileCol}/{TileRow}${dates.length > 0 ? '?time={Time}' : ''}`;
  const matrices = Array.from({ length: MAX_ZOOM + 1 }, (_, z) => tileMatrix(z)).join('');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/1.1" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.0.0">',
    `<ows:ServiceIdentification><ows:Title>${escapeXml(input.title)}</ows:Title><ows:ServiceType>OGC WMTS</ows:ServiceType><ows:ServiceTypeVersion>1.0.0</ows:ServiceTypeVersion></ows:ServiceIdentification>`,
    `<ows:OperationsMetadata>${operation('GetCapabilities', input.wmtsUrl)}${operation('GetTile', input.wmtsUrl)}</ows:OperationsMetadata>`,
    '<Contents>',
    `<Layer><ows:Title>${escapeXml(input.title)}</ows:Title>${input.abstract ? `<ows:Abstract>${escapeXml(input.abstract)}</ows:Abstract>` : ''}`,
    '<ows:WGS84BoundingBox><ows:LowerCorner>-180 -85.0511287798</ows:LowerCorner><ows:UpperCorner>180 85.0511287798</ows:UpperCorner></ows:WGS84BoundingBox>',
    `<ows:Identifier>${escapeXml(input.layer)}</ows:Identifier>`,
    '<Style isDefault="true"><ows:Identifier>default</ows:Identifier></Style>',
    '<Format>image/png</Format>',
    dimension,
    `<TileMatrixSetLink><TileMatrixSet>${TILE_MATRIX_SET}</TileMatrixSet></TileMatrixSetLink>`,
    `<ResourceURL format="image/png" resourceType="tile" template="${escapeXml(template)}"/>`,
    '</Layer>',
    `<TileMatrixSet><ows:Identifier>${TILE_MATRIX_SET}</ows:Identifier><ows:SupportedCRS>urn:ogc:def:crs:EPSG::3857</ows:SupportedCRS>` +
      `<WellKnownScaleSet>urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible</WellKnownScaleSet>${matrices}</TileMatrixSet>`,
    '</Contents>',
    '</Capabilities>',
  ].join('\n');
}
