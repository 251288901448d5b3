import { ProcessRegistry } from '../../src/processes/registry';
import { buildSpec } from '../../src/processes/define';
import { libraryProcesses } from '../../src/processes/library';
import type { ProcessDefinition } from '../../src/processes/types';
import type { ProcessGraph } from '../../src/processes/graph/types';
import { registry, run, single, validate } from './helpers';

/** `absolute`, but counting how often it runs: a fixture process to observe evaluation. */
function countingRegistry(): { reg: ProcessRegistry; calls: () => number } {
  let calls = 0;
  const counting: ProcessDefinition = {
    spec: buildSpec('absolute', { summary: 's', description: 'd', returns: 'r' }),
    execute: (args) => {
      calls++;
      return Math.abs(args.x as number);
    },
  };
  const others = libraryProcesses.filter((p) => p.spec.id !== 'absolute');
  return { reg: new ProcessRegistry([...others, counting]), calls: () => calls };
}

const codes = (errors: Array<{ code: string }>) => errors.map((e) => e.code).sort();

describe('graph evaluation', () => {
  test('a one-node graph returns its value', async () => {
    await expect(run(single('add', { x: 1, y: 2 }))).resolves.toBe(3);
  });

  test('a DAG evaluates a shared node once and combines its branches', async () => {
    const { reg, calls } = countingRegistry();
    const graph: ProcessGraph = {
      abs: { process_id: 'absolute', arguments: { x: -4 } },
      left: { process_id: 'multiply', arguments: { x: { from_node: 'abs' }, y: 2 } },
      right: { process_id: 'add', arguments: { x: { from_node: 'abs' }, y: 1 } },
      both: { process_id: 'subtract', arguments: { x: { from_node: 'left' }, y: { from_node: 'right' } }, result: true },
    };
    await expect(run(graph, {}, reg)).resolves.toBe(8 - 5);
    expect(calls()).toBe(1);
  });

  test('references inside arrays and objects are resolved', async () => {
    const graph: ProcessGraph = {
      a: { process_id: 'constant', arguments: { x: 5 } },
      b: { process_id: 'array_create', arguments: { data: [1, { from_node: 'a' }, [2, { from_node: 'a' }]] } },
      r: { process_id: 'constant', arguments: { x: { list: { from_node: 'b' }, n: { from_node: 'a' } } }, result: true },
    };
    await expect(run(graph)).resolves.toEqual({ list: [1, 5, [2, 5]], n: 5 });
  });

  test('top-level parameters take the values given for the run', async () => {
    const graph: ProcessGraph = { r: { process_id: 'add', arguments: { x: { from_parameter: 'a' }, y: { from_parameter: 'b' } }, result: true } };
    await expect(run(graph, { a: 2, b: 40 })).resolves.toBe(42);
  });

  test('defaults of process parameters are applied (round without p rounds to integers)', async () => {
    await expect(run(single('round', { x: 2.5 }))).resolves.toBe(2);
    await expect(run(single('round', { x: 3.5 }))).resolves.toBe(4);
  });

  test('callbacks see their own parameters and those of enclosing graphs', async () => {
    const graph: ProcessGraph = {
      r: {
        process_id: 'array_apply',
        arguments: {
          data: [1, 2, 3],
          context: 10,
          process: {
            process_graph: {
              m: { process_id: 'multiply', arguments: { x: { from_parameter: 'x' }, y: { from_parameter: 'context' } } },
              s: { process_id: 'add', arguments: { x: { from_node: 'm' }, y: { from_parameter: 'offset' } }, result: true },
            },
          },
        },
        result: true,
      },
    };
    await expect(run(graph, { offset: 0.5 })).resolves.toEqual([10.5, 20.5, 30.5]);
  });

  test('nested callbacks: the inner one shadows the outer parameter names', async () => {
    const graph: ProcessGraph = {
      r: {
        process_id: 'array_apply',
        arguments: {
          data: [[1, -2], [3]],
          process: {
            process_graph: {
              inner: {
                process_id: 'array_apply',
                arguments: {
                  data: { from_parameter: 'x' },
                  process: { process_graph: { a: { process_id: 'absolute', arguments: { x: { from_parameter: 'x' } }, result: true } } },
                },
              },
              sum: { process_id: 'sum', arguments: { data: { from_node: 'inner' } }, result: true },
            },
          },
        },
        result: true,
      },
    };
    await expect(run(graph)).resolves.toEqual([3, 3]);
  });

  test('if computes only the branch it returns', async () => {
    const graph = (condition: unknown): ProcessGraph => ({
      failing: { process_id: 'array_element', arguments: { data: [1], index: 5 } },
      fine: { process_id: 'add', arguments: { x: 1, y: 1 } },
      choose: { process_id: 'if', arguments: { value: condition, accept: { from_node: 'fine' }, reject: { from_node: 'failing' } }, result: true },
    });
    await expect(run(graph(true))).resolves.toBe(2);
    await expect(run(graph(false))).rejects.toMatchObject({ code: 'ArrayElementNotAvailable' });
    await expect(run(graph(null))).rejects.toMatchObject({ code: 'ArrayElementNotAvailable' });
    const noReject: ProcessGraph = { choose: { process_id: 'if', arguments: { value: false, accept: 1 }, result: true } };
    await expect(run(noReject)).resolves.toBeNull();
  });

  test('and/or skip their second operand once the first decides', async () => {
    const graph = (processId: string, first: boolean): ProcessGraph => ({
      failing: { process_id: 'array_element', arguments: { data: [true], index: 5 } },
      op: { process_id: processId, arguments: { x: first, y: { from_node: 'failing' } }, result: true },
    });
    await expect(run(graph('and', false))).resolves.toBe(false);
    await expect(run(graph('or', true))).resolves.toBe(true);
    await expect(run(graph('and', true))).rejects.toMatchObject({ code: 'ArrayElementNotAvailable' });
    await expect(run(graph('or', false))).rejects.toMatchObject({ code: 'ArrayElementNotAvailable' });
  });

  test('a process exception carries the code from the process definition', async () => {
    await expect(run(single('array_element', { data: [1, 2], index: 5 }))).rejects.toMatchObject({ code: 'ArrayElementNotAvailable', status: 400 });
  });

  test('a result of the wrong type at run time is ProcessParameterInvalid', async () => {
    const graph: ProcessGraph = {
      t: { process_id: 'array_element', arguments: { data: ['text'], index: 0 } },
      r: { process_id: 'add', arguments: { x: { from_node: 't' }, y: 1 }, result: true },
    };
    await expect(run(graph)).rejects.toMatchObject({ code: 'ProcessParameterInvalid' });
  });

  test('an aborted run stops with the abort reason', async () => {
    const { evaluateGraph } = await import('../../src/processes/graph/evaluate');
    const { runContext } = await import('./helpers');
    const controller = new AbortController();
    controller.abort(new Error('stopped'));
    await expect(evaluateGraph(single('add', { x: 1, y: 2 }), {}, registry, runContext(controller.signal))).rejects.toMatchObject({ code: 'RequestTimeout' });
  });
});

describe('graph validation', () => {
  test('a valid graph has no problems', () => {
    expect(validate(single('add', { x: 1, y: 2 }))).toEqual([]);
  });

  test('unknown processes and foreign namespaces are ProcessUnsupported', () => {
    expect(codes(validate(single('no_such_process', {})))).toEqual(['ProcessUnsupported']);
    const foreign = { n: { process_id: 'add', namespace: 'someone', arguments: { x: 1, y: 2 }, result: true } };
    expect(codes(validate(foreign))).toEqual(['ProcessUnsupported']);
    const backend = { n: { process_id: 'add', namespace: 'backend', arguments: { x: 1, y: 2 }, result: true } };
    expect(validate(backend)).toEqual([]);
  });

  test('missing, unknown and invalid arguments', () => {
    expect(codes(validate(single('add', { x: 1 })))).toEqual(['ProcessParameterRequired']);
    expect(codes(validate(single('add', { x: 1, y: 2, z: 3 })))).toEqual(['ProcessParameterUnsupported']);
    expect(codes(validate(single('add', { x: 'one', y: 2 })))).toEqual(['ProcessParameterInvalid']);
    expect(codes(validate(single('array_element', { data: [1], index: 1.5 })))).toEqual(['ProcessParameterInvalid']);
  });

  test('every problem is reported, not only the first', () => {
    const graph = {
      a: { process_id: 'add', arguments: { x: 'one' } },
      b: { process_id: 'nope', arguments: {} },
      c: { process_id: 'subtract', arguments: { x: { from_node: 'missing' }, y: 1, extra: true }, result: true },
    };
    expect(codes(validate(graph))).toEqual(
      ['ProcessGraphInvalid', 'ProcessParameterInvalid', 'ProcessParameterRequired', 'ProcessParameterUnsupported', 'ProcessUnsupported'].sort(),
    );
  });

  test('a node result whose type cannot fit the parameter is rejected before running', () => {
    const graph = {
      t: { process_id: 'text_concat', arguments: { data: ['a', 'b'] } },
      r: { process_id: 'sqrt', arguments: { x: { from_node: 't' } }, result: true },
    };
    expect(codes(validate(graph))).toEqual(['ProcessParameterInvalid']);
  });

  test('result nodes: none, several', () => {
    expect(codes(validate({ a: { process_id: 'pi', arguments: {} } }))).toEqual(['ProcessGraphInvalid']);
    const two = { a: { process_id: 'pi', arguments: {}, result: true }, b: { process_id: 'e', arguments: {}, result: true } };
    expect(codes(validate(two))).toEqual(['ProcessGraphInvalid']);
  });

  test('cycles and malformed graphs are ProcessGraphInvalid', () => {
    const cycle = {
      a: { process_id: 'add', arguments: { x: { from_node: 'b' }, y: 1 } },
      b: { process_id: 'add', arguments: { x: { from_node: 'a' }, y: 1 }, result: true },
    };
    const problems = validate(cycle);
    expect(codes(problems)).toEqual(['ProcessGraphInvalid']);
    expect(problems[0].message).toMatch(/cycle/);
    expect(codes(validate({}))).toEqual(['ProcessGraphInvalid']);
    expect(codes(validate('graph'))).toEqual(['ProcessGraphInvalid']);
    expect(codes(validate({ a: { arguments: {}, result: true } }))).toEqual(['ProcessGraphInvalid']);
  });

  test('undefined parameters: an error for a run, accepted when values may come later', () => {
    const graph = single('add', { x: { from_parameter: 'a' }, y: 1 });
    expect(codes(validate(graph))).toEqual(['ProcessGraphInvalid']);
    expect(validate(graph, { requireParameterValues: false })).toEqual([]);
    expect(validate(graph, { parameters: [{ name: 'a' }] })).toEqual([]);
  });

  test('child processes are validated with their declared parameters', () => {
    const bad = single('array_apply', {
      data: [1],
      process: { process_graph: { x: { process_id: 'absolute', arguments: { x: { from_parameter: 'y' } }, result: true } } },
    });
    expect(codes(validate(bad))).toEqual(['ProcessGraphInvalid']);
    const unknown = single('array_apply', { data: [1], process: { process_graph: { x: { process_id: 'nope', arguments: {}, result: true } } } });
    expect(codes(validate(unknown))).toEqual(['ProcessUnsupported']);
    const notACallback = single('add', { x: { process_graph: { a: { process_id: 'pi', arguments: {}, result: true } } }, y: 1 });
    expect(codes(validate(notACallback))).toEqual(['ProcessParameterInvalid']);
  });

  test('node count and nesting depth limits give ProcessGraphComplexity', () => {
    const many: Record<string, unknown> = {};
    for (let i = 0; i < 5; i++) many[`n${i}`] = { process_id: 'pi', arguments: {}, result: i === 0 };
    expect(codes(validate(many, { maxNodes: 4 }))).toEqual(['ProcessGraphComplexity']);
    expect(validate(many, { maxNodes: 5 })).toEqual([]);

    let graph: Record<string, unknown> = { a: { process_id: 'absolute', arguments: { x: { from_parameter: 'x' } }, result: true } };
    for (let level = 0; level < 3; level++) {
      graph = { n: { process_id: 'array_apply', arguments: { data: [1], process: { process_graph: graph } }, result: true } };
    }
    expect(validate(graph, { maxDepth: 3 })).toEqual([]);
    expect(codes(validate(graph, { maxDepth: 2 }))).toEqual(['ProcessGraphComplexity']);
  });

  test('openEO subtypes: bounding boxes, temporal intervals, collections, output formats', () => {
    const load = (args: Record<string, unknown>) => single('load_collection', { id: 'S2', spatial_extent: null, temporal_extent: null, ...args });
    expect(validate(load({ spatial_extent: { west: 1, south: 4, east: 2, north: 5 } }))).toEqual([]);
    expect(codes(validate(load({ spatial_extent: { west: 1, south: 5, east: 2, north: 4 } })))).toEqual(['ProcessParameterInvalid']);
    expect(validate(load({ temporal_extent: ['2020-01-01', null] }))).toEqual([]);
    expect(codes(validate(load({ temporal_extent: ['2020-13-01', null] })))).toEqual(['ProcessParameterInvalid']);
    expect(codes(validate(load({ temporal_extent: [null, null] })))).toEqual(['ProcessParameterInvalid']);
    const { EMPTY_CATALOG } = require('../../src/processes/runContext');
    expect(codes(validate(load({}), { catalog: EMPTY_CATALOG }))).toEqual(['CollectionNotFound']);
    const save = (format: string) => ({
      l: { process_id: 'load_collection', arguments: { id: 'S2', spatial_extent: null, temporal_extent: null } },
      s: { process_id: 'save_result', arguments: { data: { from_node: 'l' }, format }, result: true },
    });
    expect(validate(save('GTiff'))).toEqual([]);
    expect(validate(save('gtiff'))).toEqual([]);
    expect(codes(validate(save('NoSuchFormat')))).toEqual(['ProcessParameterInvalid']);
  });

  test('data cubes only go where the schema takes a data cube', () => {
    const cubeIntoNumber = {
      l: { process_id: 'load_collection', arguments: { id: 'S2', spatial_extent: null, temporal_extent: null } },
      r: { process_id: 'add', arguments: { x: { from_node: 'l' }, y: 1 }, result: true },
    };
    expect(codes(validate(cubeIntoNumber))).toEqual(['ProcessParameterInvalid']);
    const numberIntoCube = {
      p: { process_id: 'pi', arguments: {} },
      s: { process_id: 'save_result', arguments: { data: { from_node: 'p' }, format: 'GTiff' }, result: true },
    };
    expect(codes(validate(numberIntoCube))).toEqual(['ProcessParameterInvalid']);
  });
});
