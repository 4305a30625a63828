"""backproplib: one network description drives numeric backprop, the sympy derivation and the explanations."""
from .checking.examples import EXAMPLES, Example, load_example
from .checking.published import Published, compare
from .engine.activations import ACTIVATIONS, get_activation
from .engine.losses import LOSSES, get_loss
from .engine.network import Layer, Network, layered_network
from .engine.numeric import backward, chain_rule, forward, loss_and_gradients
from .engine.training import gradient_step, train

__all__ = [
    "ACTIVATIONS", "LOSSES", "EXAMPLES", "Example", "Layer", "Network", "Published",
    "backward", "chain_rule", "compare", "forward", "get_activation", "get_loss",
    "gradient_step", "layered_network", "load_example", "loss_and_gradients", "train",
]
