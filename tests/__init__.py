"""The test suite.

Cache compiled bytecode even where the environment says not to (PYTHONDONTWRITEBYTECODE, as on
the shared test machine): otherwise every run, in every xdist worker, compiles the project and
has pytest rewrite the assertions of every test module again, about 10 s of CPU a worker (half
of it rewriting). This package is imported before its conftest, so before any project module;
the files go in __pycache__ folders, which git ignores.
"""

import sys

sys.dont_write_bytecode = False
