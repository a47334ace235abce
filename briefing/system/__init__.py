"""What every wing stands on: atomic file writes, cores a run may use, whether a process lives, and
text safe to show and store.
"""
