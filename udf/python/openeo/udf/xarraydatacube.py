import xarray


class XarrayDataCube:
    """A data cube as an xarray.DataArray (the older UDF form receives and returns these)."""

    def __init__(self, array: xarray.DataArray):
        if not isinstance(array, xarray.DataArray):
            raise TypeError("XarrayDataCube needs an xarray.DataArray, got %s" % type(array).__name__)
        self._array = array

    def get_array(self) -> xarray.DataArray:
        return self._array

    @property
    def array(self) -> xarray.DataArray:
        return self._array

    @property
    def id(self):
        return self._array.name

    def __repr__(self):
        return "<XarrayDataCube shape:%s>" % (dict(self._array.sizes),)
