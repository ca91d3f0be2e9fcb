"""`reconciler emulator ...`: run the local Graph emulator (it parses its own flags)."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from reconciler.emulator import cli as emulator_cli

    return emulator_cli.main(args.emulator_args)
