"""Glue for the CI systems reconciler runs in (the GitHub Action's step, ...)."""
