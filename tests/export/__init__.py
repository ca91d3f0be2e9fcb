"""Export: live objects to a manifest set, and back."""
