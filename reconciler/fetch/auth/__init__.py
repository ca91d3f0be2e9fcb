"""Credentials and the clouds they belong to."""
