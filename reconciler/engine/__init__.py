"""Diff, plan and drift: desired + live -> plan or drift report. Pure."""
