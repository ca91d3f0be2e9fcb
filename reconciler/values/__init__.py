"""Frozen values that flow between the stages. Pure."""
