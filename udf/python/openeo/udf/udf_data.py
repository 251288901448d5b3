from openeo.udf.xarraydatacube import XarrayDataCube


class UdfData:
    """What a generic UDF function receives: data cubes, structured data and the user context."""

    def __init__(self, proj=None, datacube_list=None, feature_collection_list=None, structured_data_list=None, user_context=None):
        self.proj = proj
        self._datacubes = list(datacube_list or [])
        self._features = list(feature_collection_list or [])
        self._structured = list(structured_data_list or [])
        self.user_context = user_context if user_context is not None else {}

    def get_datacube_list(self):
        return self._datacubes

    def set_datacube_list(self, datacube_list):
        self._datacubes = list(datacube_list or [])

    datacube_list = property(get_datacube_list, set_datacube_list)

    def get_feature_collection_list(self):
        return self._features

    def set_feature_collection_list(self, features):
        self._features = list(features or [])

    feature_collection_list = property(get_feature_collection_list, set_feature_collection_list)

    def get_structured_data_list(self):
        return self._structured

    def set_structured_data_list(self, structured):
        self._structured = list(structured or [])

    structured_data_list = property(get_structured_data_list, set_structured_data_list)

    def __repr__(self):
        return "<UdfData datacube_list:%r>" % (self._datacubes,)
