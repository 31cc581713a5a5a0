"""The language server for rule files (``clusterkit lsp``), on pygls: the optional extra ``lsp``."""
