"""The example CI workflows a user copies."""
