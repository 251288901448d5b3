/** The raster engine: lazy tiled data cubes, GDAL reading and writing. */
export { DataCube, isDataCube } from './cube/DataCube';
export { MemoryCube } from './cube/MemoryCube';
export type { CubeShape, LabelDimension, LabelDimensionType, SpatialGrid, TileContext, TileWindow } from './cube/model';
export { describeDimensions } from './cube/describe';
export { forEachTile, tileWindows, readAll } from './tiles';
export { cubeFromTestEncoding, cubeToTestEncoding, isEncodedCube } from './jsonEncoding';
export { saveOutput, writeDefaultOutput } from './output';
export { assertSyncPixelLimit, assertPixelBudget } from './limits';
export { planLoad } from './read/planLoad';
export { findWriter } from './writers';
export { configureGdal } from '../gdal/configure';
export { configureEngine } from './engine';
