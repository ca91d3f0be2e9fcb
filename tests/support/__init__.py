"""What every test package shares, once:

- `tenant`: ids and names of the test tenant (groups, kinds, collection paths, types);
- `manifests`: manifest documents and sets written to disk;
- `cli`: the CLI run in-process or as a real process, its exit code and output;
- `raw`: the emulator reached with plain `requests` (never the project's own client), as an
  out-of-band admin would, and the Graph error shape.
"""
