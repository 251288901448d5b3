"""The parts of the openEO Python client's UDF interface that UDFs import, written for this back-end."""
