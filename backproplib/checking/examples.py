"""The worked examples of the source documents (and Mazur's), with every value they publish.

Each example is data, one JSON file in ``documents/``: the document's network (names and wiring),
its starting numbers, and every value it prints, transcribed as printed, mistakes included, with
where it appears, the document's own arithmetic (``shown``) and, for those that do not agree, our
diagnosis (``cause``). A transcription is checked against its document line by line, so it is kept
as plain data beside the code that loads it; :class:`Example` is the code. The library computes;
nothing here is bent toward a printed number.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Mapping, Sequence

from ..engine.network import Layer, Network
from .published import Comparison, Published, compare, quantities

__all__ = ["Claim", "Example", "EXAMPLES", "load_example"]


@dataclass(frozen=True)
class Claim:
    """A statement a document makes in words that is not true (its numbers are :class:`Published`).

    ``claim`` paraphrases the document (the book never copies its wording), ``why_wrong`` says what
    is true instead, and ``chapter_section`` names the heading of the chapter that shows it.
    """

    where: str
    claim: str
    why_wrong: str
    chapter_section: str = ""


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
    claims: tuple[Claim, ...] = ()

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


# The order the errata page and the tests list them in: the ideas first, then the documents' examples.
_KEYS = ("blame_flow", "tiny_relu", "shared_bias", "sum_target", "two_outputs")


def _layer(spec: Mapping) -> Layer:
    """A layer from its JSON form; ``bias`` is absent, one shared name, or a list with one per neuron."""
    bias = spec.get("bias")
    weights = tuple(tuple(row) for row in spec["weights"])
    bias = tuple(bias) if isinstance(bias, list) else bias
    return Layer(tuple(spec["neurons"]), spec["activation"], weights, bias)


def _load(key: str) -> Example:
    """The example ``key`` from ``documents/<key>.json``: network, numbers and printed values.

    >>> ex = _load("tiny_relu")
    >>> ex.network.layers[0].activation, ex.params, ex.published[0].printed
    ('relu', {'w1': 0.5, 'w2': 0.5}, '0.5')
    """
    data = json.loads(resources.files(__package__).joinpath("documents", f"{key}.json").read_text(encoding="utf-8"))
    described = data["network"]
    network = Network(tuple(described["inputs"]), tuple(map(_layer, described["layers"])), described["loss"])
    return Example(
        key=data["key"], title=data["title"], source=data["source"], network=network,
        params=dict(data["params"]), x=dict(data["x"]), y=_target(data["y"]), learning_rate=data["learning_rate"],
        published=tuple(Published(**row) for row in data["published"]),
        frozen=tuple(data["frozen"]), trained_epochs=data["trained_epochs"],
        claims=tuple(Claim(**row) for row in data.get("claims", ())),
    )


EXAMPLES: dict[str, Example] = {key: _load(key) for key in _KEYS}


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
