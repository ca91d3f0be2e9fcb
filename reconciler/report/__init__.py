"""Render plans and drift reports from their JSON form. Pure."""
