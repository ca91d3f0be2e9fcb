"""The root action.yml's step (run_action.py)."""
