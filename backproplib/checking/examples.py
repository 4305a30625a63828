"""The worked examples of the four source documents, with every value they publish.

Published values are transcribed as printed, mistakes included; ``cause`` carries our
diagnosis for those that do not agree. The library computes; nothing here is bent
toward a printed number.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping, Sequence

from ..engine.network import Layer, Network
from .published import Comparison, Published, compare, quantities

__all__ = ["Example", "EXAMPLES", "load_example"]


@dataclass(frozen=True)
class Example:
    """A document's network, numbers and published values.

    ``y`` is one number for one output; for several, a mapping output name → target (or a sequence
    in output order). ``frozen``
    names the parameters the document never updates; ``trained_epochs`` how many steps of training
    its ``trained_*`` values come after (0: it publishes none).

    >>> ex = load_example("shared_bias")
    >>> ex.source, ex.params["b1"], ex.learning_rate, len(ex.published) > 0
    ('001_a770774e95402dd6.txt', 0.35, 0.5, True)
    """

    key: str
    title: str
    source: str
    network: Network
    params: Mapping[str, float]
    x: Mapping[str, float]
    y: float | Mapping[str, float] | Sequence[float]
    learning_rate: float
    published: tuple[Published, ...] = field(default=())
    frozen: tuple[str, ...] = ()
    trained_epochs: int = 0

    def with_settings(
        self,
        params: Mapping[str, float] | None = None,
        x: Mapping[str, float] | None = None,
        y: float | Mapping[str, float] | Sequence[float] | None = None,
        learning_rate: float | None = None,
        activations: Sequence[str] | None = None,
        loss: str | None = None,
    ) -> "Example":
        """A copy with some settings changed; names and wiring stay the document's.

        ``activations`` gives one activation per layer. The published values stay attached;
        :attr:`matches_document` tells whether they still apply.

        >>> ex = load_example("sum_target").with_settings(activations=["sigmoid", "identity"])
        >>> ex.network.layers[-1].activation, ex.matches_document
        ('identity', False)
        """
        network = self.network
        if activations is not None or loss is not None:
            activations = [layer.activation for layer in network.layers] if activations is None else list(activations)
            if len(activations) != len(network.layers):
                raise ValueError(
                    f"activations must give one name per layer ({len(network.layers)}); got {len(activations)}"
                )
            layers = tuple(replace(layer, activation=a) for layer, a in zip(network.layers, activations))
            network = Network(network.inputs, layers, network.loss if loss is None else loss)
        changed = replace(
            self,
            network=network,
            params=dict(self.params) if params is None else dict(params),
            x=dict(self.x) if x is None else dict(x),
            y=self.y if y is None else _target(y),
            learning_rate=self.learning_rate if learning_rate is None else float(learning_rate),
        )
        changed.network.check_parameters(changed.params)
        changed.network.check_inputs(changed.x)
        changed.network.check_targets(changed.y)
        return changed

    @property
    def matches_document(self) -> bool:
        """True when network and numbers are exactly the document's, so its published values apply."""
        original = EXAMPLES.get(self.key)
        return original is not None and (
            self.network == original.network
            and dict(self.params) == dict(original.params)
            and dict(self.x) == dict(original.x)
            and self.y == original.y
            and self.learning_rate == original.learning_rate
        )

    def quantities(self) -> dict[str, float]:
        """Every named number of this example (see :func:`backproplib.checking.published.quantities`)."""
        return quantities(
            self.network, self.params, self.x, self.y, self.learning_rate, self.frozen, self.trained_epochs
        )

    def compare_with_document(self) -> list[Comparison]:
        """Each published value against the computed one, with its verdict.

        >>> rows = load_example("tiny_relu").compare_with_document()
        >>> [(r.published.quantity, r.verdict) for r in rows if r.published.quantity == "grad_w2"]
        [('grad_w2', 'wrong')]
        """
        return compare(list(self.published), self.quantities())


def _target(y: object) -> float | dict[str, float] | tuple[float, ...]:
    """One number, a mapping output name → number, or a sequence in output order (checked by the network)."""
    if isinstance(y, Mapping):
        return {name: float(v) for name, v in y.items()}
    if isinstance(y, (list, tuple)):
        return tuple(float(v) for v in y)
    return float(y)  # type: ignore[arg-type]


# --- 000: one input, ReLU hidden neuron, sigmoid output, binary cross-entropy ----------------
_BCE_FORMULA = (
    "The document writes dL/da2 = a2 - y, but that is dL/dz2, the derivative through sigmoid and "
    "cross-entropy together. dL/da2 for cross-entropy is (a2 - y)/(a2(1 - a2)) = 1/(1 - a2) at y = 0."
)
_BCE_CARRIED = (
    "Carried from dL/dz2: the document multiplies a2 - y (already dL/dz2) by the sigmoid slope a second "
    "time, so every later gradient is too small by the factor a2(1 - a2)."
)
TINY_RELU = Example(
    key="tiny_relu",
    title="A tiny network: ReLU hidden neuron, sigmoid output, cross-entropy",
    source="000_dc2c2a91c2cf24bb.txt",
    network=Network(
        inputs=("x",),
        layers=(Layer(("h",), "relu", (("w1",),)), Layer(("o",), "sigmoid", (("w2",),))),
        loss="binary_cross_entropy",
    ),
    params={"w1": 0.5, "w2": 0.5},
    x={"x": 1.0},
    y=0.0,
    learning_rate=0.1,
    published=(
        Published("z_h", "0.5", "1.0 * 0.5", "Forward Pass, Hidden Layer", "z1"),
        Published("a_h", "0.5", "0.5", "Forward Pass, Hidden Layer", "a1 = ReLU(z1)"),
        Published("z_o", "0.25", "0.5 * 0.5", "Forward Pass, Output Layer", "z2"),
        Published("a_o", "0.562", "1 / (1 + exp(-0.25))", "Forward Pass, Output Layer", "a2 = sigmoid(z2)"),
        Published("dLda_o", "0.562", "0.562 - 0", "Backward Pass, Step 1", "dL/da2", _BCE_FORMULA),
        Published("1 - a_o", "0.438", "1 - 0.562", "Backward Pass, Step 2", "1 - a2"),
        Published("dadz_o", "0.246", "0.562 * 0.438", "Backward Pass, Step 2", "da2/dz2"),
        Published("delta_o", "0.138", "0.562 * 0.246", "Backward Pass, Step 3", "dL/dz2", _BCE_CARRIED),
        Published(
            "grad_w2", "0.069", "0.138 * 0.5", "Backward Pass, Step 4 and Final Gradients", "dL/dw2", _BCE_CARRIED
        ),
        Published("dLda_h", "0.069", "0.138 * 0.5", "Backward Pass, Step 5", "dL/da1", _BCE_CARRIED),
        Published("dadz_h", "1", "1", "Backward Pass, Step 5", "da1/dz1 (ReLU, z1 > 0)"),
        Published("delta_h", "0.069", "0.069 * 1", "Backward Pass, Step 5", "dL/dz1", _BCE_CARRIED),
        Published(
            "grad_w1", "0.069", "0.069 * 1.0", "Backward Pass, Step 5 and Final Gradients", "dL/dw1", _BCE_CARRIED
        ),
        Published("new_w2", "0.4931", "0.5 - 0.1 * 0.069", "Weight Update", "w2 after one step", _BCE_CARRIED),
        Published("new_w1", "0.4931", "0.5 - 0.1 * 0.069", "Weight Update", "w1 after one step", _BCE_CARRIED),
    ),
)

# --- 001: 2-2-1 sigmoid network, shared hidden bias b1, half squared error --------------------
_ROUNDED_GRADIENT = (
    "Rounding carried forward: the update uses the gradient rounded to two or three significant figures."
)
SHARED_BIAS = Example(
    key="shared_bias",
    title="Two layers with biases: one bias shared by the hidden layer",
    source="001_a770774e95402dd6.txt",
    network=Network(
        inputs=("x1", "x2"),
        layers=(
            Layer(("h1", "h2"), "sigmoid", (("w1", "w2"), ("w3", "w4")), bias="b1"),
            Layer(("out",), "sigmoid", (("w5", "w6"),), bias=("b2",)),
        ),
        loss="half_squared_error",
    ),
    params={"w1": 0.15, "w2": 0.20, "w3": 0.25, "w4": 0.30, "w5": 0.40, "w6": 0.45, "b1": 0.35, "b2": 0.60},
    x={"x1": 0.05, "x2": 0.10},
    y=0.01,
    learning_rate=0.5,
    published=(
        Published("z_h1", "0.3775", "0.05*0.15 + 0.10*0.20 + 0.35", "2. Forward Propagation, Step 1", "z_h1"),
        Published("z_h2", "0.3925", "0.05*0.25 + 0.10*0.30 + 0.35", "2. Forward Propagation, Step 1", "z_h2"),
        Published("a_h1", "0.5933", "1 / (1 + exp(-0.3775))", "2. Forward Propagation, Step 1", "a_h1"),
        Published("a_h2", "0.5969", "1 / (1 + exp(-0.3925))", "2. Forward Propagation, Step 1", "a_h2"),
        Published("z_out", "1.1059", "0.5933*0.40 + 0.5969*0.45 + 0.60", "Step 2: Output Layer", "z_out"),
        Published("a_out", "0.7514", "1 / (1 + exp(-1.1059))", "Step 2: Output Layer", "y_hat = a_out"),
        Published("loss", "0.2748", "0.5 * (0.01 - 0.7514)**2", "Compute Loss (Error)", "Loss"),
        Published(
            "dLda_out",
            "0.7414",
            "0.7514 - 0.01",
            "3. Backward Propagation, gradient for w5 (repeated for w1, w4, b2)",
            "dL/dy_hat",
        ),
        Published("1 - a_out", "0.2486", "1 - 0.7514", "gradient for w5", "1 - y_hat"),
        Published(
            "dadz_out", "0.1868", "0.7514 * 0.2486", "gradient for w5 (repeated for w1, w4, b2)", "dy_hat/dz_out"
        ),
        Published("grad_w5", "0.0822", "0.7414 * 0.1868 * 0.5933", "gradient for w5; Summary of Gradients", "dL/dw5"),
        Published("grad_w6", "0.0827", "0.7414 * 0.1868 * 0.5969", "gradient for w6; Summary of Gradients", "dL/dw6"),
        Published(
            "delta_out",
            "0.1385",
            "0.7414 * 0.1868",
            "gradient for w1, Step-by-step (repeated for w2, w3, w4)",
            "0.7414 * 0.1868",
        ),
        Published("1 - a_h1", "0.4067", "1 - 0.5933", "gradient for w1, factor 4", "1 - a_h1"),
        Published("dadz_h1", "0.2413", "0.5933 * 0.4067", "gradient for w1, factor 4", "da_h1/dz_h1"),
        Published("delta_out * w5", "0.0554", "0.1385 * 0.40", "gradient for w1, Step-by-step", "0.1385 * 0.40"),
        Published("delta_h1", "0.0134", "0.0554 * 0.2413", "gradient for w1, Step-by-step", "0.0554 * 0.2413"),
        Published("grad_w1", "0.00067", "0.0134 * 0.05", "gradient for w1; Summary of Gradients", "dL/dw1"),
        Published(
            "delta_out * w5",
            "0.0555",
            "0.1385 * 0.40",
            "gradient for w2, first line",
            "0.0555 (in dL/dw2 = 0.0555 * 0.2413 * 0.10)",
            "The same product is 0.0554 a few lines earlier; here the last digit slipped.",
        ),
        Published(
            "grad_w2",
            "0.00135",
            "0.0134 * 0.10",
            "gradient for w2; Summary of Gradients",
            "dL/dw2",
            "0.0134 * 0.10 is 0.00134: the document rounds the last digit up. The exact value is 0.0013368.",
        ),
        Published("1 - a_h2", "0.4031", "1 - 0.5969", "gradient for w4, factor 4", "1 - a_h2"),
        Published(
            "dadz_h2",
            "0.2407",
            "0.5969 * 0.4031",
            "gradient for w4, factor 4 (and b1 from h2)",
            "da_h2/dz_h2",
            "0.5969 * 0.4031 = 0.24061, which rounds to 0.2406; the exact slope is 0.240613.",
        ),
        Published("delta_out * w6", "0.0623", "0.1385 * 0.45", "gradient for w4, Step-by-step", "0.1385 * 0.45"),
        Published("delta_h2", "0.0150", "0.0623 * 0.2407", "gradient for w4, Step-by-step", "0.0623 * 0.2407"),
        Published("grad_w4", "0.00150", "0.0150 * 0.10", "gradient for w4; Summary of Gradients", "dL/dw4"),
        Published("grad_w3", "0.00075", "0.0150 * 0.05", "gradient for w3; Summary of Gradients", "dL/dw3"),
        Published("grad_b2", "0.1385", "0.7414 * 0.1868 * 1", "Bias Gradient, output bias b2", "dL/db2"),
        Published(
            "delta_h1",
            "0.0134",
            "0.7414 * 0.1868 * 0.40 * 0.2413 * 1",
            "Bias Gradient, b1 Part 1 (from h1)",
            "dL/db1 from h1",
        ),
        Published(
            "delta_h2",
            "0.0150",
            "0.7414 * 0.1868 * 0.45 * 0.2407 * 1",
            "Bias Gradient, b1 Part 2 (from h2)",
            "dL/db1 from h2",
        ),
        Published("grad_b1", "0.0284", "0.0134 + 0.0150", "Bias Gradient, total for b1", "dL/db1"),
        Published("new_w5", "0.3589", "0.40 - 0.5 * 0.0822", "Weight and Bias Updates", "w5 new"),
        Published("new_w6", "0.4087", "0.45 - 0.5 * 0.0827", "Weight and Bias Updates", "w6 new"),
        Published("new_w4", "0.2993", "0.30 - 0.5 * 0.00150", "Weight and Bias Updates", "w4 new"),
        Published("new_w3", "0.2496", "0.25 - 0.5 * 0.00075", "Weight and Bias Updates", "w3 new"),
        Published(
            "new_w2",
            "0.199325",
            "0.20 - 0.5 * 0.00135",
            "Weight and Bias Updates; update table",
            "w2 new",
            _ROUNDED_GRADIENT,
        ),
        Published(
            "new_w1",
            "0.149665",
            "0.15 - 0.5 * 0.00067",
            "Weight and Bias Updates; update table",
            "w1 new",
            _ROUNDED_GRADIENT,
        ),
        Published("learning_rate * grad_b1", "0.0142", "0.5 * 0.0284", "Bias Updation, b1", "0.5 * 0.0284"),
        Published("new_b1", "0.3358", "0.35 - 0.0142", "Bias Updation, b1; update table", "b1 new"),
        Published("learning_rate * grad_b2", "0.0693", "0.5 * 0.1385", "Update b2", "0.5 * 0.1385", _ROUNDED_GRADIENT),
        Published("new_b2", "0.5307", "0.60 - 0.5 * 0.1385", "Update b2; update table", "b2 new", _ROUNDED_GRADIENT),
        Published(
            "new_w6",
            "0.40865",
            "0.45 - 0.5 * 0.0827",
            "Weight & Bias Update Tables",
            "w6 new (table)",
            _ROUNDED_GRADIENT,
        ),
        Published(
            "new_w5",
            "0.35890",
            "0.40 - 0.5 * 0.0822",
            "Weight & Bias Update Tables",
            "w5 new (table)",
            _ROUNDED_GRADIENT,
        ),
        Published("new_w4", "0.29925", "0.30 - 0.5 * 0.00150", "Weight & Bias Update Tables", "w4 new (table)"),
        Published("new_w3", "0.249625", "0.25 - 0.5 * 0.00075", "Weight & Bias Update Tables", "w3 new (table)"),
    ),
)

# --- 002: learning y = x1 + x2 with a sigmoid output, no biases --------------------------------
_A2_CARRIED = "Carried from a2 = 0.86607 (the exact value is 0.86646): the product inherits that slip."
SUM_TARGET = Example(
    key="sum_target",
    title="Learning y = x1 + x2: a target the sigmoid cannot reach",
    source="002_8c243820f758b5b8.txt",
    network=Network(
        inputs=("x1", "x2"),
        layers=(
            # w_ij connects input i to hidden node j, as the document names them.
            Layer(("h1", "h2"), "sigmoid", (("w11", "w21"), ("w12", "w22"))),
            Layer(("o",), "sigmoid", (("w_h1", "w_h2"),)),
        ),
        loss="half_squared_error",
    ),
    params={"w11": 0.2, "w12": 0.3, "w21": 0.4, "w22": 0.7, "w_h1": 0.6, "w_h2": -0.1},
    x={"x1": 1.1, "x2": 2.2},
    y=3.3,
    learning_rate=0.1,
    published=(
        Published("z_h1", "1.1", "1.1*0.2 + 2.2*0.4", "Step 1, first hidden node", "z1"),
        Published("a_h1", "0.75026", "1 / (1 + exp(-1.1))", "Step 1, first hidden node", "a1"),
        Published("z_h2", "1.87", "1.1*0.3 + 2.2*0.7", "Step 1, second hidden node", "z2"),
        Published(
            "a_h2",
            "0.86607",
            "1 / (1 + exp(-1.87))",
            "Step 1, second hidden node",
            "a2",
            "Arithmetic slip: sigmoid(1.87) = 0.866458, so a2 is 0.86646, not 0.86607.",
        ),
        Published("a_h1 * w_h1", "0.45016", "0.75026 * 0.6", "Output Layer Calculations", "a1 * w_h1"),
        Published("a_h2 * w_h2", "-0.08661", "0.86607 * (-0.1)", "Output Layer Calculations", "a2 * w_h2", _A2_CARRIED),
        Published("z_o", "0.36355", "0.45016 - 0.08661", "Output Layer Calculations", "z_o", _A2_CARRIED),
        Published("a_o", "0.58989", "1 / (1 + exp(-0.36355))", "Output Layer Calculations", "y_pred"),
        Published(
            "loss",
            "3.67545",
            "0.5 * (0.58989 - 3.3)**2",
            "Step 2: Loss Calculation",
            "Loss",
            "Arithmetic slip: (0.58989 - 3.3)^2 / 2 = 2.71011^2 / 2 = 3.67235.",
        ),
        Published("a_o - 3.3", "-2.71011", "0.58989 - 3.3", "Step 3, output layer", "y_pred - y"),
        Published("dadz_o", "0.242", "0.58989 * (1 - 0.58989)", "Step 3, output layer", "sigma'(z_o)"),
        Published(
            "delta_o",
            "-0.65584",
            "-2.71011 * 0.242",
            "Step 3, output layer",
            "delta_o",
            "Rounding carried forward: the document multiplies by sigma'(z_o) rounded to 0.242 (exactly 0.241920).",
        ),
        Published(
            "grad_w_h1",
            "-0.49198",
            "-0.65584 * 0.75026",
            "Step 3, gradients for w_h1",
            "dL/dw_h1",
            "Arithmetic slip: -0.65584 * 0.75026 = -0.49205, not -0.49198; the exact gradient is -0.49189.",
        ),
        Published(
            "grad_w_h2",
            "-0.56795",
            "-0.65584 * 0.86607",
            "Step 3, gradients for w_h2",
            "dL/dw_h2",
            "Arithmetic slip on top of the wrong a2: -0.65584 * 0.86607 = -0.56800; the exact gradient is -0.56808.",
        ),
        Published(
            "delta_o * w_h1",
            "-0.39350",
            "-0.65584 * 0.6",
            "Hidden Layer Gradients, delta_1",
            "delta_o * w_h1",
            "Carried from delta_o = -0.65584.",
        ),
        Published(
            "dadz_h1",
            "0.1875",
            "0.75026 * (1 - 0.75026)",
            "Hidden Layer Gradients, delta_1",
            "sigma'(z1)",
            "Arithmetic slip: 0.75026 * 0.24974 = 0.18737, which rounds to 0.1874.",
        ),
        Published(
            "delta_h1",
            "-0.07382",
            "-0.39350 * 0.1875",
            "Hidden Layer Gradients, delta_1",
            "delta_h1",
            "-0.39350 * 0.1875 = -0.07378, not -0.07382; the exact delta_1 is -0.07371.",
        ),
        Published(
            "delta_o * w_h2",
            "0.06558",
            "-0.65584 * (-0.1)",
            "Hidden Layer Gradients, delta_2",
            "delta_o * w_h2",
            "Carried from delta_o = -0.65584.",
        ),
        Published(
            "dadz_h2",
            "0.1158",
            "0.86607 * (1 - 0.86607)",
            "Hidden Layer Gradients, delta_2",
            "sigma'(z2)",
            "0.86607 * 0.13393 = 0.11599, and with the right a2 = 0.86646 the slope is 0.11571: neither is 0.1158.",
        ),
        Published(
            "delta_h2",
            "0.00760",
            "0.06558 * 0.1158",
            "Hidden Layer Gradients, delta_2",
            "delta_h2",
            "Carried from the slips in delta_o and sigma'(z2).",
        ),
        Published(
            "grad_w11",
            "-0.08120",
            "-0.07382 * 1.1",
            "Gradients for hidden weights",
            "dL/dw11",
            "Carried from delta_1 = -0.07382.",
        ),
        Published(
            "grad_w21",
            "-0.16241",
            "-0.07382 * 2.2",
            "Gradients for hidden weights",
            "dL/dw21",
            "Carried from delta_1 = -0.07382.",
        ),
        Published(
            "grad_w12",
            "0.00836",
            "0.00760 * 1.1",
            "Gradients for hidden weights",
            "dL/dw12",
            "Carried from delta_2 = 0.00760.",
        ),
        Published(
            "grad_w22",
            "0.01672",
            "0.00760 * 2.2",
            "Gradients for hidden weights",
            "dL/dw22",
            "Carried from delta_2 = 0.00760.",
        ),
        Published("new_w_h1", "0.6492", "0.6 - 0.1 * (-0.49198)", "Step 4: Weight Update; Summary", "w_h1 new"),
        Published("new_w_h2", "-0.0432", "-0.1 - 0.1 * (-0.56795)", "Step 4: Weight Update; Summary", "w_h2 new"),
        Published("new_w11", "0.2081", "0.2 - 0.1 * (-0.08120)", "Step 4: Weight Update; Summary", "w11 new"),
        Published("new_w21", "0.4162", "0.4 - 0.1 * (-0.16241)", "Step 4: Weight Update; Summary", "w21 new"),
        Published("new_w12", "0.2992", "0.3 - 0.1 * 0.00836", "Step 4: Weight Update; Summary", "w12 new"),
        Published("new_w22", "0.6983", "0.7 - 0.1 * 0.01672", "Step 4: Weight Update; Summary", "w22 new"),
    ),
)

# --- 003 publishes no numbers; this small network is ours, for demonstrating its ideas ---------
BLAME_FLOW = Example(
    key="blame_flow",
    title="The ideas: weights, biases, activations and the flow of blame",
    source="003_f8d2e817a092ed5a.txt",
    network=Network(
        inputs=("x1", "x2"),
        layers=(
            Layer(("h1", "h2"), "sigmoid", (("wh11", "wh12"), ("wh21", "wh22")), bias=("bh1", "bh2")),
            Layer(("o",), "sigmoid", (("wo1", "wo2"),), bias=("bo",)),
        ),
        loss="half_squared_error",
    ),
    params={
        "wh11": 0.5,
        "wh12": -0.4,
        "wh21": 0.3,
        "wh22": 0.8,
        "bh1": 0.1,
        "bh2": -0.2,
        "wo1": 1.5,
        "wo2": 0.2,
        "bo": 0.0,
    },
    x={"x1": 1.0, "x2": 0.5},
    y=1.0,
    learning_rate=0.5,
)

# --- Matt Mazur's 2-2-2 example: two outputs, biases shared per layer and never updated ----------
_MAZUR_FORWARD = "The Forward Pass"
_MAZUR_OUTPUT = "The Backwards Pass, Output Layer"
_MAZUR_HIDDEN = "The Backwards Pass, Hidden Layer"
_MAZUR_NEXT = (
    "After one step with the biases kept, the exact error is 0.2910277737, and his own printed new weights give "
    "the same 0.2910277737; updating the biases too would give 0.2857508867. Neither is 0.291027924."
)
_MAZUR_LOSS = (
    "10,000 steps with the biases kept give 0.0000351019 (updating the biases too: 0.0000043553). The printed "
    "value is what 9,999 steps give (0.0000351085): the count looks off by one."
)
_MAZUR_OUTPUTS = (
    "10,000 steps with the biases kept give outputs 0.015913620 and 0.984064274 (9,999 steps: 0.015914185 and "
    "0.984063712); the printed pair matches neither. The post does not show how it was computed."
)
TWO_OUTPUTS = Example(
    key="two_outputs",
    title="Two outputs: Matt Mazur's step-by-step example",
    source='Matt Mazur, "A Step by Step Backpropagation Example", 2015, '
    "https://mattmazur.com/2015/03/17/a-step-by-step-backpropagation-example/",
    network=Network(
        inputs=("i1", "i2"),
        layers=(
            Layer(("h1", "h2"), "sigmoid", (("w1", "w2"), ("w3", "w4")), bias="b1"),
            Layer(("o1", "o2"), "sigmoid", (("w5", "w6"), ("w7", "w8")), bias="b2"),
        ),
        loss="half_squared_error",
    ),
    params={
        "w1": 0.15,
        "w2": 0.20,
        "w3": 0.25,
        "w4": 0.30,
        "w5": 0.40,
        "w6": 0.45,
        "w7": 0.50,
        "w8": 0.55,
        "b1": 0.35,
        "b2": 0.60,
    },
    x={"i1": 0.05, "i2": 0.10},
    y={"o1": 0.01, "o2": 0.99},
    learning_rate=0.5,
    frozen=("b1", "b2"),
    trained_epochs=10_000,
    published=(
        Published("z_h1", "0.3775", "0.15*0.05 + 0.2*0.1 + 0.35*1", _MAZUR_FORWARD, "net_h1"),
        Published("a_h1", "0.593269992", "1 / (1 + exp(-0.3775))", _MAZUR_FORWARD, "out_h1"),
        Published("a_h2", "0.596884378", "1 / (1 + exp(-(0.25*0.05 + 0.3*0.1 + 0.35)))", _MAZUR_FORWARD, "out_h2"),
        Published("z_o1", "1.105905967", "0.4*0.593269992 + 0.45*0.596884378 + 0.6*1", _MAZUR_FORWARD, "net_o1"),
        Published("a_o1", "0.75136507", "1 / (1 + exp(-1.105905967))", _MAZUR_FORWARD, "out_o1"),
        Published(
            "a_o2",
            "0.772928465",
            "1 / (1 + exp(-(0.5*0.593269992 + 0.55*0.596884378 + 0.6)))",
            _MAZUR_FORWARD,
            "out_o2",
        ),
        Published("loss_o1", "0.274811083", "0.5 * (0.01 - 0.75136507)**2", "Calculating the Total Error", "E_o1"),
        Published("loss_o2", "0.023560026", "0.5 * (0.99 - 0.772928465)**2", "Calculating the Total Error", "E_o2"),
        Published("loss", "0.298371109", "0.274811083 + 0.023560026", "Calculating the Total Error", "E_total"),
        Published("dLda_o1", "0.74136507", "-(0.01 - 0.75136507)", _MAZUR_OUTPUT, "∂E_total/∂out_o1"),
        Published("dadz_o1", "0.186815602", "0.75136507 * (1 - 0.75136507)", _MAZUR_OUTPUT, "∂out_o1/∂net_o1"),
        Published("grad_w5", "0.082167041", "0.74136507 * 0.186815602 * 0.593269992", _MAZUR_OUTPUT, "∂E_total/∂w5"),
        Published("new_w5", "0.35891648", "0.4 - 0.5 * 0.082167041", _MAZUR_OUTPUT, "w5+"),
        Published("new_w6", "0.408666186", "", _MAZUR_OUTPUT, "w6+"),
        Published("new_w7", "0.511301270", "", _MAZUR_OUTPUT, "w7+"),
        Published("new_w8", "0.561370121", "", _MAZUR_OUTPUT, "w8+"),
        Published("delta_o1 * w5", "0.055399425", "0.74136507 * 0.186815602 * 0.40", _MAZUR_HIDDEN, "∂E_o1/∂out_h1"),
        Published("delta_o2 * w7", "-0.019049119", "", _MAZUR_HIDDEN, "∂E_o2/∂out_h1"),
        Published("dLda_h1", "0.036350306", "0.055399425 + -0.019049119", _MAZUR_HIDDEN, "∂E_total/∂out_h1"),
        Published("dadz_h1", "0.241300709", "0.593269992 * (1 - 0.593269992)", _MAZUR_HIDDEN, "∂out_h1/∂net_h1"),
        Published("grad_w1", "0.000438568", "0.036350306 * 0.241300709 * 0.05", _MAZUR_HIDDEN, "∂E_total/∂w1"),
        Published("new_w1", "0.149780716", "0.15 - 0.5 * 0.000438568", _MAZUR_HIDDEN, "w1+"),
        Published("new_w2", "0.19956143", "", _MAZUR_HIDDEN, "w2+"),
        Published("new_w3", "0.24975114", "", _MAZUR_HIDDEN, "w3+"),
        Published("new_w4", "0.29950229", "", _MAZUR_HIDDEN, "w4+"),
        Published(
            "next_loss",
            "0.291027924",
            "",
            "The Backwards Pass, Hidden Layer (end)",
            "total error after the first round",
            _MAZUR_NEXT,
        ),
        Published(
            "trained_loss",
            "0.0000351085",
            "",
            "The Backwards Pass, Hidden Layer (end)",
            "error after 10,000 rounds",
            _MAZUR_LOSS,
        ),
        Published(
            "trained_a_o1",
            "0.015912196",
            "",
            "The Backwards Pass, Hidden Layer (end)",
            "out_o1 after 10,000 rounds",
            _MAZUR_OUTPUTS,
        ),
        Published(
            "trained_a_o2",
            "0.984065734",
            "",
            "The Backwards Pass, Hidden Layer (end)",
            "out_o2 after 10,000 rounds",
            _MAZUR_OUTPUTS,
        ),
    ),
)

EXAMPLES: dict[str, Example] = {ex.key: ex for ex in (BLAME_FLOW, TINY_RELU, SHARED_BIAS, SUM_TARGET, TWO_OUTPUTS)}


def load_example(key: str) -> Example:
    """One of the book's worked examples by key.

    >>> load_example("shared_bias").source
    '001_a770774e95402dd6.txt'
    >>> load_example("xor")
    Traceback (most recent call last):
    ...
    ValueError: example must be one of 'blame_flow', 'tiny_relu', 'shared_bias', 'sum_target', 'two_outputs'; got 'xor'
    """
    if key not in EXAMPLES:
        allowed = ", ".join(repr(k) for k in EXAMPLES)
        raise ValueError(f"example must be one of {allowed}; got {key!r}")
    return EXAMPLES[key]
