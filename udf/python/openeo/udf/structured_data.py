class StructuredData:
    """Plain data (a dict, list or table) that a UDF may receive or return beside cubes."""

    def __init__(self, data, description=None, type=None):
        self.data = data
        self.description = description or ""
        self.type = type or ("dict" if isinstance(data, dict) else "list")

    def to_dict(self):
        return {"data": self.data, "description": self.description, "type": self.type}
