"""The plan on disk: versioned, checksummed, checked step by step."""
