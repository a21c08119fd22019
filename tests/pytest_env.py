"""Loaded as a pytest plugin (pyproject addopts) before Django reads settings.

Not a test module: it gives the suite the environment a developer would
otherwise have to export by hand.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-real-deployment")
os.environ.setdefault("DEBUG", "false")
# The suite talks plain HTTP to the test client.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
