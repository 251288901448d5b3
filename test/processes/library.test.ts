import { LabeledArray } from '../../src/processes/values';
import { run, single } from './helpers';

/** [process, arguments, expected result] checked through validation and the executor. */
const cases: Array<[string, Record<string, unknown>, unknown]> = [
  // math
  ['round', { x: 0.5 }, 0],
  ['round', { x: 1.5 }, 2],
  ['round', { x: -2.5 }, -2],
  ['round', { x: 1.005, p: 2 }, 1],
  ['round', { x: 1234.5, p: -2 }, 1200],
  ['mod', { x: -27, y: 5 }, 3],
  ['mod', { x: 27, y: -5 }, -3],
  ['mod', { x: null, y: 5 }, null],
  ['divide', { x: 1, y: 0 }, Infinity],
  ['power', { base: 2, p: 10 }, 1024],
  ['log', { x: 1000, base: 10 }, 3],
  ['linear_scale_range', { x: 15, inputMin: 0, inputMax: 10, outputMin: 0, outputMax: 100 }, 100],
  ['linear_scale_range', { x: 2.5, inputMin: 0, inputMax: 10 }, 0.25],
  ['clip', { x: -5, min: 0, max: 3 }, 0],
  ['int', { x: -3.7 }, -3],
  ['normalized_difference', { x: 3, y: 1 }, 0.5],
  // comparison and logic
  ['eq', { x: 'Ab', y: 'aB', case_sensitive: false }, true],
  ['eq', { x: 1, y: true }, false],
  ['eq', { x: 1.5, y: 1.4, delta: 0.2 }, true],
  ['neq', { x: null, y: 1 }, null],
  ['gt', { x: 'b', y: 'a' }, false],
  ['between', { x: 3, min: 1, max: 3, exclude_max: true }, false],
  ['and', { x: false, y: null }, false],
  ['or', { x: null, y: false }, null],
  ['xor', { x: true, y: false }, true],
  ['any', { data: [false, null, true] }, true],
  ['all', { data: [true, null], ignore_nodata: false }, null],
  ['is_valid', { x: Infinity }, false],
  ['is_nodata', { x: null }, true],
  // statistics
  ['mean', { data: [1, null, 3] }, 2],
  ['mean', { data: [1, null, 3], ignore_nodata: false }, null],
  ['median', { data: [5, 1, 4, 2] }, 3],
  ['sd', { data: [2, 4, 4, 4, 5, 5, 7, 9] }, Math.sqrt(32 / 7)],
  ['variance', { data: [1] }, null],
  ['quantiles', { data: [1, 2, 3, 4, 5], probabilities: [0, 0.5, 0.9] }, [1, 3, 4.6]],
  ['quantiles', { data: [1, 2, 3, 4, 5], probabilities: 4 }, [2, 3, 4]],
  ['extrema', { data: [3, null, -1, 8] }, [-1, 8]],
  ['count', { data: [1, null, NaN, 'x'] }, 2],
  ['count', { data: [1, null, NaN, 'x'], condition: true }, 4],
  ['cumsum', { data: [1, null, 2, 3] }, [1, null, 3, 6]],
  ['cumsum', { data: [1, null, 2, 3], ignore_nodata: false }, [1, null, null, null]],
  ['cummax', { data: [1, 3, 2] }, [1, 3, 3]],
  // arrays
  ['array_create', { data: [1, 2], repeat: 2 }, [1, 2, 1, 2]],
  ['array_concat', { array1: [1], array2: ['a'] }, [1, 'a']],
  ['array_contains', { data: [1, 'a', null], value: 'a' }, true],
  ['array_find', { data: [1, 2, 1], value: 1, reverse: true }, 2],
  ['array_labels', { data: [7, 8] }, [0, 1]],
  ['array_modify', { data: [1, 2, 3], values: [9, 9], index: 1, length: 1 }, [1, 9, 9, 3]],
  ['array_interpolate_linear', { data: [null, 1, null, null, 4, null] }, [null, 1, 2, 3, 4, null]],
  ['sort', { data: [3, null, 1, 2], asc: false }, [3, 2, 1]],
  ['sort', { data: ['2020-01-01T02:00:00+03:00', '2020-01-01', null], nodata: false }, [null, '2020-01-01T02:00:00+03:00', '2020-01-01']], // 23:00 UTC the day before
  ['order', { data: [3, 1, 2, 1] }, [1, 3, 2, 0]],
  ['rearrange', { data: ['a', 'b', 'c'], order: [2, 0] }, ['c', 'a']],
  ['first', { data: [null, 4, 5] }, 4],
  ['last', { data: [4, 5, null], ignore_nodata: false }, null],
  // text
  ['text_begins', { data: 'Sentinel-2', pattern: 'sentinel', case_sensitive: false }, true],
  ['text_ends', { data: 'file.tif', pattern: '.TIF' }, false],
  ['text_contains', { data: null, pattern: 'x' }, null],
  ['text_find', { data: 'banana', pattern: 'na' }, 2],
  ['text_concat', { data: ['a', 1, null, false], separator: ', ' }, 'a, 1, null, false'],
  // dates
  ['date_shift', { date: '2020-01-31', value: 1, unit: 'month' }, '2020-02-29'],
  ['date_shift', { date: '2021-03-31T00:00:00+02:00', value: -7, unit: 'day' }, '2021-03-24T00:00:00+02:00'],
  ['date_shift', { date: '2020-02-29T12:00:00Z', value: 1, unit: 'year' }, '2021-02-28T12:00:00Z'],
  ['date_shift', { date: '2018-12-31T17:22:45Z', value: 1150, unit: 'millisecond' }, '2018-12-31T17:22:46.150Z'],
  ['date_shift', { date: '2018-01-01', value: -1, unit: 'hour' }, '2017-12-31'],
  ['date_difference', { date1: '2020-01-01T00:00:00Z', date2: '2020-01-01T01:00:00+01:00' }, 0],
  ['date_difference', { date1: '2020-01-02', date2: '2020-01-01', unit: 'day' }, -1],
  ['date_between', { x: '2020-06-01', min: '2020-01-01', max: '2020-12-31T23:59:59Z' }, true],
  ['date_between', { x: '12:00:00', min: '08:00:00', max: '12:00:00', exclude_max: true }, false],
  // constants and misc
  ['pi', {}, Math.PI],
  ['constant', { x: { a: [1] } }, { a: [1] }],
  ['inspect', { data: [1, 2], message: 'look', level: 'warning' }, [1, 2]],
];

describe('library processes', () => {
  test.each(cases)('%s %j', async (id, args, expected) => {
    const result = await run(single(id, args));
    const plain = result instanceof LabeledArray ? result.values : result;
    if (typeof expected === 'number' && Number.isFinite(expected)) expect(plain).toBeCloseTo(expected, 10);
    else expect(plain).toEqual(expected);
  });

  test('labels survive array processes that keep elements', async () => {
    const labeled = { data: [1, -2], labels: ['a', 'b'] };
    const graph = {
      l: { process_id: 'array_create_labeled', arguments: labeled },
      m: {
        process_id: 'array_apply',
        arguments: { data: { from_node: 'l' }, process: { process_graph: { a: { process_id: 'absolute', arguments: { x: { from_parameter: 'x' } }, result: true } } } },
      },
      e: { process_id: 'array_element', arguments: { data: { from_node: 'm' }, label: 'b' }, result: true },
    };
    await expect(run(graph)).resolves.toBe(2);
    const filtered = (await run({
      l: { process_id: 'array_create_labeled', arguments: labeled },
      f: {
        process_id: 'array_filter',
        arguments: { data: { from_node: 'l' }, condition: { process_graph: { g: { process_id: 'gt', arguments: { x: { from_parameter: 'x' }, y: 0 }, result: true } } } },
        result: true,
      },
    })) as LabeledArray;
    expect(filtered).toEqual(new LabeledArray([1], ['a']));
  });

  test('process exceptions', async () => {
    const failures: Array<[string, Record<string, unknown>, string]> = [
      ['array_element', { data: [1] }, 'ArrayElementParameterMissing'],
      ['array_element', { data: [1], index: 0, label: 'a' }, 'ArrayElementParameterConflict'],
      ['array_element', { data: [1], label: 'a' }, 'ArrayNotLabeled'],
      ['array_create_labeled', { data: [1, 2], labels: ['a'] }, 'ArrayLengthMismatch'],
      ['clip', { x: 1, min: 2, max: 1 }, 'MinMaxSwapped'],
      ['quantiles', { data: [1] }, 'QuantilesParameterMissing'],
      ['quantiles', { data: [1], probabilities: [0.5, 0.1] }, 'AscendingProbabilitiesRequired'],
      ['mod', { x: 1, y: 0 }, 'DivisionByZero'],
    ];
    for (const [id, args, code] of failures) {
      await expect(run(single(id, args))).rejects.toMatchObject({ code, status: 400 });
    }
  });
});
