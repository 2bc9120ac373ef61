import importlib
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

INSTALL = "pip install -e './python[test]' (or .ci/run, which installs them)"


def need(module):
    """Imports ``module``, failing loudly (never skipping) without it."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        pytest.fail(f"needs the Python package providing `{module}` ({e}): {INSTALL}", pytrace=False)
