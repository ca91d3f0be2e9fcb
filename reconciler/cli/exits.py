"""Exit codes: 0 success and nothing to change, 1 error, 2 changes or drift found."""

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
