import gdal from 'gdal-async';

let blank: Buffer | undefined;

/** A fully transparent PNG of `size`² pixels (RGBA zeros), made once: what a tile without data shows. */
export function transparentTile(size = 256): Buffer {
  if (blank && size === 256) return blank;
  const mem = gdal.open('blank', 'w', 'MEM', size, size, 4, gdal.GDT_Byte);
  const file = `/vsimem/blank-tile-${process.pid}-${size}.png`;
  try {
    // A MEM dataset starts zeroed: every band, alpha included, is 0.
    gdal.drivers.get('PNG').createCopy(file, mem).close();
  } finally {
    mem.close();
  }
  const png = gdal.vsimem.release(file);
  if (size === 256) blank = png;
  return png;
}
