"""The test suite. A package, so shared helpers import as `tests.support...` (no reliance on
pytest putting this folder on `sys.path`)."""
