"""
The UDF worker: one interpreter per run, inside the sandbox. Requests arrive on stdin and answers
leave on the original stdout, each a frame of a 4-byte little-endian header length, a JSON header
and `bytes` raw little-endian float64 values. The user's prints go to stderr (the run's log), so
they cannot break the frames.
"""
import inspect as pyinspect
import json
import linecache
import os
import struct
import sys
import traceback

_protocol = os.fdopen(os.dup(1), "wb", buffering=0)
os.dup2(2, 1)
sys.stdout = sys.stderr
_requests = os.fdopen(0, "rb", buffering=0)

import numpy  # noqa: E402
import pandas  # noqa: E402
import xarray  # noqa: E402
from openeo.udf import XarrayDataCube, UdfData  # noqa: E402
from openeo.udf import debug  # noqa: E402

UDF_FILE = "<udf>"


def read_exact(n):
    chunks = []
    while n > 0:
        chunk = _requests.read(n)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def send(header, payload=b""):
    header = dict(header, bytes=len(payload))
    data = json.dumps(header).encode("utf-8")
    _protocol.write(struct.pack("<I", len(data)) + data + payload)


debug._sink = lambda entry: send({"log": entry})


class UdfError(Exception):
    pass


_modules = {}


def load(code):
    namespace = _modules.get(code)
    if namespace is None:
        lines = code.splitlines(True)
        linecache.cache[UDF_FILE] = (len(code), None, lines, UDF_FILE)
        namespace = {"__name__": "udf"}
        exec(compile(code, UDF_FILE, "exec"), namespace)
        _modules[code] = namespace
    return namespace


def to_array(header, payload):
    values = numpy.frombuffer(payload, dtype="<f8").reshape(header["shape"])
    coords = {}
    for name, coord in header["coords"].items():
        if coord["type"] == "datetime":
            coords[name] = numpy.array([v.rstrip("Z") for v in coord["values"]], dtype="datetime64[ns]")
        else:
            coords[name] = coord["values"]
    return xarray.DataArray(values.copy(), dims=header["dims"], coords=coords)


def label_list(index):
    if numpy.issubdtype(index.dtype, numpy.datetime64):
        return "datetime", [pandas.Timestamp(v).strftime("%Y-%m-%dT%H:%M:%SZ") for v in index.values]
    values = index.values.tolist()
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "number", values
    return "string", [str(v) for v in values]


def annotation_is(parameter, cls):
    annotation = parameter.annotation
    return annotation is cls or (isinstance(annotation, str) and annotation.split(".")[-1] == cls.__name__)


def call_datacube(fn, array, context):
    parameters = list(pyinspect.signature(fn).parameters.values())
    as_array = bool(parameters) and annotation_is(parameters[0], xarray.DataArray)
    kwargs = {"context": context} if len(parameters) > 1 else {}
    result = fn(array if as_array else XarrayDataCube(array), **kwargs)
    return result


def call_timeseries(fn, array, context, time_dim):
    if time_dim is None or time_dim not in array.dims:
        raise UdfError("apply_timeseries needs a temporal dimension; this data has the dimensions %s" % (list(array.dims),))
    others = [d for d in array.dims if d != time_dim]
    moved = array.transpose(*others, time_dim)
    rows = moved.values.reshape(-1, moved.sizes[time_dim])
    index = pandas.DatetimeIndex(moved[time_dim].values)
    out_rows, out_index = [], None
    for row in rows:
        series = fn(pandas.Series(row, index=index), context)
        if not isinstance(series, pandas.Series):
            raise UdfError("apply_timeseries must return a pandas.Series, got %s" % type(series).__name__)
        if out_index is None:
            out_index = series.index
        elif len(series) != len(out_index):
            raise UdfError("apply_timeseries returned series of different lengths (%d and %d)" % (len(out_index), len(series)))
        out_rows.append(series.to_numpy(dtype="float64"))
    values = numpy.stack(out_rows).reshape([moved.sizes[d] for d in others] + [len(out_index)])
    coords = {d: moved[d].values for d in others if d in moved.coords}
    coords[time_dim] = out_index.values if len(out_index) else []
    return xarray.DataArray(values, dims=others + [time_dim], coords=coords)


def entry_point(namespace):
    for name in ("apply_datacube", "apply_timeseries"):
        if callable(namespace.get(name)):
            return name, namespace[name]
    functions = [v for k, v in namespace.items() if pyinspect.isfunction(v) and v.__module__ == "udf" and not k.startswith("_") and k != "apply_metadata"]
    generic = [f for f in functions if len(pyinspect.signature(f).parameters) == 1]
    if len(generic) == 1:
        return "generic", generic[0]
    raise UdfError("the UDF defines no entry point: define apply_datacube(cube, context), apply_timeseries(series, context) or one function taking UdfData")


def run(header, payload):
    namespace = load(header["code"])
    kind, fn = entry_point(namespace)
    array = to_array(header, payload)
    context = header.get("context")
    if kind == "apply_datacube":
        result = call_datacube(fn, array, context)
    elif kind == "apply_timeseries":
        result = call_timeseries(fn, array, context, header.get("timeDimension"))
    else:
        data = UdfData(datacube_list=[XarrayDataCube(array)], user_context=context if context is not None else {})
        returned = fn(data)
        data = returned if isinstance(returned, UdfData) else data
        cubes = data.get_datacube_list()
        if len(cubes) != 1:
            raise UdfError("the UDF must leave exactly one data cube in the UdfData, found %d" % len(cubes))
        result = cubes[0]
    if isinstance(result, XarrayDataCube):
        result = result.get_array()
    if not isinstance(result, xarray.DataArray):
        raise UdfError("the UDF must return an xarray.DataArray or XarrayDataCube, got %s" % type(result).__name__)
    order = header.get("order")
    if order:
        extra = [d for d in result.dims if d not in order and result.sizes[d] == 1]
        # Leftovers of length 1 go only when that gives the expected dimensions: a new
        # dimension with a single label (e.g. one statistic in a target dimension) stays.
        if extra and set(result.dims) - set(extra) == set(order):
            result = result.squeeze(extra, drop=True)
        if set(result.dims) == set(order):
            result = result.transpose(*order)
    spatial = header.get("spatial") or []
    if spatial and all(d in result.dims for d in spatial):
        # y and x go last, as the tile layout has them, whatever order the UDF left them in.
        result = result.transpose(..., *spatial)
    coords = {}
    for name in result.dims:
        if name in result.indexes:
            kind_, values = label_list(result.indexes[name])
            coords[name] = {"type": kind_, "values": values}
    values = numpy.ascontiguousarray(result.values, dtype="<f8")
    return {"ok": True, "dims": list(result.dims), "shape": list(values.shape), "coords": coords}, values.tobytes()


def user_traceback(error):
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == UDF_FILE]
    lines = ["Traceback (most recent call last):\n"]
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(error), error)
    return "".join(lines).rstrip()


def main():
    send({"ready": True, "python": "%d.%d.%d" % sys.version_info[:3]})
    while True:
        try:
            (length,) = struct.unpack("<I", read_exact(4))
            header = json.loads(read_exact(length))
            payload = read_exact(header.get("bytes", 0))
        except EOFError:
            return
        try:
            answer, data = run(header, payload)
            send(answer, data)
        except UdfError as error:
            send({"ok": False, "error": str(error)})
        except BaseException as error:  # noqa: B902 - anything the UDF raises goes back to the user
            if isinstance(error, KeyboardInterrupt):
                raise
            send({"ok": False, "error": user_traceback(error)})


if __name__ == "__main__":
    main()
