"""A small CollectionMetadata: enough for UDFs that define apply_metadata to import and use it."""


class CollectionMetadata:
    def __init__(self, metadata=None, dimensions=None):
        self._orig_metadata = dict(metadata or {})
        # name -> list of labels (None when unknown)
        self._dimensions = dict(dimensions or {})

    def get_dimension_names(self):
        return list(self._dimensions)

    def has_dimension(self, name):
        return name in self._dimensions

    def band_names(self):
        for name in ("bands", "band"):
            if name in self._dimensions:
                return list(self._dimensions[name] or [])
        return []

    def rename_labels(self, dimension, target, source=None):
        labels = list(self._dimensions.get(dimension) or [])
        if source is None:
            labels = list(target)
        else:
            labels = [target[list(source).index(l)] if l in source else l for l in labels]
        dims = dict(self._dimensions)
        dims[dimension] = labels
        return CollectionMetadata(self._orig_metadata, dims)

    def rename_dimension(self, source, target):
        dims = {(target if k == source else k): v for k, v in self._dimensions.items()}
        return CollectionMetadata(self._orig_metadata, dims)

    def add_dimension(self, name, label, type=None):
        dims = dict(self._dimensions)
        dims[name] = [label]
        return CollectionMetadata(self._orig_metadata, dims)

    def drop_dimension(self, name):
        dims = {k: v for k, v in self._dimensions.items() if k != name}
        return CollectionMetadata(self._orig_metadata, dims)
