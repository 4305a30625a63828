"""Test and benchmark support: reading chapter notebooks, probing sliders, reading shown images.

None of this is needed to read or run the book, so it lives beside the tests, not in the package.
Tests import it as ``support`` (pytest puts ``tests/`` on the path); benchmarks/run.py puts the
repository root on the path and imports ``tests.support``.
"""
