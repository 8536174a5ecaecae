"""Test-wide settings."""

import os

from hypothesis import settings

# CI must be repeatable: the same examples every run (a new failure found locally, where the
# examples vary, prints its reproducing example). No wall-clock deadlines on a shared machine.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
