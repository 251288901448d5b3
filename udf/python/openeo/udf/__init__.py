"""openeo.udf as UDFs import it: XarrayDataCube, UdfData, StructuredData and inspect."""
from openeo.udf.xarraydatacube import XarrayDataCube
from openeo.udf.udf_data import UdfData
from openeo.udf.structured_data import StructuredData
from openeo.udf.debug import inspect

__all__ = ["XarrayDataCube", "UdfData", "StructuredData", "inspect"]
