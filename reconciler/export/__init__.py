"""Write live objects as a manifest set."""
