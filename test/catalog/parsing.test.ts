import { compilePattern, parseCompactDate } from '../../src/catalog/pattern';
import { cfTimeConverter } from '../../src/catalog/cfTime';
import { bboxToWgs84 } from '../../src/catalog/geo';
import { regularStep } from '../../src/catalog/stacDocument';

describe('file name patterns', () => {
  test('take dates in several spellings, bands and other placeholders', () => {
    const p = compilePattern('S2_{tile}_{date}_{band}.tif');
    expect(p.match('S2_T32TMT_20230105_B04.tif')).toEqual({ datetime: '2023-01-05T00:00:00Z', band: 'B04', extra: { tile: 'T32TMT' } });
    expect(p.match('S2_T32TMT_2023-01-05_B8A.tif')?.band).toBe('B8A');
    expect(p.match('S2_T32TMT_20230105T103021_SCL.tif')?.datetime).toBe('2023-01-05T10:30:21Z');
    expect(p.match('S2_T32TMT_20230105_B04.tif.aux.xml')).toBeUndefined();
    expect(p.match('S2_T32TMT_20231305_B04.tif')).toBeUndefined();
    expect(compilePattern('*_{date}.nc').match('era5_t2m_20200101.nc')).toEqual({ datetime: '2020-01-01T00:00:00Z', band: undefined, extra: {} });
  });

  test('without {date}, or with a placeholder twice, are refused', () => {
    expect(() => compilePattern('{band}.tif')).toThrow(/no \{date\}/);
    expect(() => compilePattern('{date}_{date}.tif')).toThrow(/twice/);
  });

  test('dates that do not exist are not dates', () => {
    expect(parseCompactDate('20230229')).toBeUndefined();
    expect(parseCompactDate('20240229')).toBe('2024-02-29T00:00:00Z');
    expect(parseCompactDate('20240101T2500')).toBeUndefined();
  });
});

describe('CF time units', () => {
  test('convert axis values of the usual units', () => {
    expect(cfTimeConverter('days since 2020-01-01')!(31)).toBe('2020-02-01T00:00:00Z');
    expect(cfTimeConverter('hours since 1900-01-01 00:00:0.0')!(1_008_072)).toBe('2015-01-01T00:00:00Z');
    expect(cfTimeConverter('seconds since 1970-01-01T00:00:00Z')!(1.5)).toBe('1970-01-01T00:00:01.500Z');
    expect(cfTimeConverter('minutes since 2000-1-1 12:00:00 +02:00')!(0)).toBe('2000-01-01T10:00:00Z');
  });

  test('refuse calendars and units that are not Gregorian time', () => {
    expect(cfTimeConverter('days since 2020-01-01', '360_day')).toBeUndefined();
    expect(cfTimeConverter('metres')).toBeUndefined();
    expect(cfTimeConverter('months since 2020-01-01')).toBeUndefined();
  });
});

describe('extents in WGS84', () => {
  test('follow the axis order of the data, not of the EPSG definition', () => {
    // EPSG:3035 and EPSG:4326 list northing/latitude first; rasters store easting/longitude first.
    const laea = bboxToWgs84([4200000, 2700000, 4210000, 2710000], 'EPSG:3035');
    expect(laea[0]).toBeGreaterThan(8);
    expect(laea[0]).toBeLessThan(9);
    expect(laea[1]).toBeGreaterThan(47);
    expect(laea[1]).toBeLessThan(48);
    expect(bboxToWgs84([8, 47, 9, 48], 'EPSG:4326')).toEqual([8, 47, 9, 48]);
  });

  test('grids in 0..360° longitude span the globe', () => {
    expect(bboxToWgs84([0, -90, 360, 90], 'EPSG:4326')).toEqual([-180, -90, 180, 90]);
  });
});

test('regular time steps are named, irregular ones are null', () => {
  expect(regularStep(['2020-01-01T00:00:00Z', '2020-01-06T00:00:00Z', '2020-01-11T00:00:00Z'])).toBe('P5D');
  expect(regularStep(['2020-01-01T00:00:00Z', '2020-01-01T06:00:00Z'])).toBe('PT6H');
  expect(regularStep(['2020-01-01T00:00:00Z', '2020-01-06T00:00:00Z', '2020-01-12T00:00:00Z'])).toBeNull();
  expect(regularStep(['2020-01-01T00:00:00Z'])).toBeNull();
});
