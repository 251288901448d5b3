"""inspect(): messages for the run's log, at their level."""
import sys

_LEVELS = ("debug", "info", "warning", "error")
# The worker installs the function that sends a message to the server.
_sink = None


def _describe(data):
    if data is None:
        return None
    try:
        import xarray
        if isinstance(data, xarray.DataArray):
            return {"dims": list(data.dims), "shape": list(data.shape)}
    except Exception:
        pass
    if isinstance(data, (str, int, float, bool)):
        return data
    if isinstance(data, (list, dict)):
        try:
            import json
            json.dumps(data)
            return data
        except (TypeError, ValueError):
            pass
    text = repr(data)
    return text if len(text) <= 2000 else text[:2000] + "…"


def inspect(data=None, message: str = "", code: str = "User", level: str = "info"):
    level = str(level).lower()
    if level == "warn":
        level = "warning"
    if level not in _LEVELS:
        level = "info"
    entry = {"level": level, "message": str(message), "code": str(code), "data": _describe(data)}
    if _sink is not None:
        _sink(entry)
    else:
        print(entry, file=sys.stderr)
