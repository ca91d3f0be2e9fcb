"""Carry out a saved plan exactly. Edge: HTTP and files."""
