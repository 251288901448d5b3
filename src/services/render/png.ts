/** RGBA pixels to PNG bytes through GDAL's PNG driver, in memory (/vsimem), no files. */
import gdal from 'gdal-async';
import { randomUUID } from 'node:crypto';
import { gdalBuffer } from '../../gdal/typedArrays';

/** `planes` are 4 byte planes (red, green, blue, alpha) of width × height pixels. */
export async function encodePng(planes: [Uint8Array, Uint8Array, Uint8Array, Uint8Array], width: number, height: number): Promise<Buffer> {
  const mem = gdal.open('', 'w', 'MEM', width, height, 4, gdal.GDT_Byte);
  const file = `/vsimem/tile-${randomUUID()}.png`;
  try {
    for (let k = 0; k < 4; k++) {
      const band = mem.bands.get(k + 1);
      await band.pixels.writeAsync(0, 0, width, height, gdalBuffer(planes[k]));
    }
    mem.bands.get(4).colorInterpretation = gdal.GCI_AlphaBand;
    const png = await gdal.drivers.get('PNG').createCopyAsync(file, mem);
    png.close();
    return gdal.vsimem.release(file);
  } finally {
    mem.close();
  }
}
