"""The engine: a network described once, and everything computed from that description.

``network`` (names and wiring), ``activations`` and ``losses`` (each formula once), ``numeric`` (the
teaching path: forward, backward, chain rule), ``training`` (gradient descent), ``compiled`` (the same
arithmetic generated as straight-line code, the fast path) and ``symbolic`` (the sympy twin).
Nothing here imports from the layers above.
"""
