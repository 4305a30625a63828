"""The engine: a network described once, and everything computed from that description.

``network`` (names and wiring), ``activations`` and ``losses`` (each formula once), ``numeric`` (the
teaching path: forward, backward, chain rule), ``training`` (gradient descent), ``straight_line`` (the
same arithmetic as language-neutral assignments), ``compiled`` (those printed as Python, the fast
path), ``javascript`` (printed as the browser's model) and ``symbolic`` (the sympy twin).
Nothing here imports from the layers above.
"""
