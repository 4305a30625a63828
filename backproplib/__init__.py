"""backproplib: one network description drives numeric backprop, the sympy derivation and the explanations."""
from .activations import ACTIVATIONS, get_activation
from .examples import EXAMPLES, Example, load_example
from .losses import LOSSES, get_loss
from .network import Layer, Network, layered_network
from .numeric import backward, chain_rule, forward, gradient_step, loss_and_gradients, train
from .published import Published, compare

__all__ = [
    "ACTIVATIONS", "LOSSES", "EXAMPLES", "Example", "Layer", "Network", "Published",
    "backward", "chain_rule", "compare", "forward", "get_activation", "get_loss",
    "gradient_step", "layered_network", "load_example", "loss_and_gradients", "train",
]
