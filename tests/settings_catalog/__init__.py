"""The Settings Catalog kind: manifests, comparison, writes, the catalog check."""
