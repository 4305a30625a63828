"""Checking: three independent routes to each gradient, and the documents' published values judged
against what the engine computes."""
