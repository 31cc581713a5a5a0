"""Built-in clusterkit plugins (storage back-ends and reporters).

They register through clusterkit's own entry points, exactly as a third-party
plugin would; see docs/plugins.md.
"""
