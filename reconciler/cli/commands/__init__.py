"""One module per command: `run(args) -> exit code`. Heavy imports happen inside `run`, so
building the parser (every command's start) stays cheap."""
