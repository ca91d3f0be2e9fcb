"""Load and validate manifests into `Desired`. Edge: reads files."""
