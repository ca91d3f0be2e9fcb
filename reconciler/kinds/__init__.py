"""What each Graph type is, as data."""
