"""``python -m clusterkit.jsonschema``: write the shipped schemas again from the model."""

from clusterkit.jsonschema import write_shipped

for path in write_shipped():
    print(path)
