"""What users pass: names, sharing, values, shapes and sizes. Each bad input gets a TypeError or
ValueError naming the argument and what is allowed; each good one gives the right numbers.

The expected numbers come from formulas written here (an identity network's loss and gradients by
hand), never from the library's own passes.
"""
from __future__ import annotations

import re
import string
import types
import warnings
from collections import OrderedDict
from collections.abc import Mapping
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backproplib import Layer, Network, backward, chain_rule, forward, layered_network, load_example, loss_and_gradients
from backproplib.engine.network import MAX_NAME_LENGTH, MAX_SETTINGS
from backproplib.views.explore import Settings, loss_along

# -- networks and strategies of this file ------------------------------------------------------

# o = w·x + b with half squared error: L = ½(wx + b − y)², ∂L/∂w = (wx + b − y)x, ∂L/∂b = wx + b − y.
ONE = Network(("x",), (Layer(("o",), "identity", (("w",),), bias="b"),), "half_squared_error")
# o = w1·x1 + w2·x2 + b, the same loss.
TWO = Network(("x1", "x2"), (Layer(("o",), "identity", (("w1", "w2"),), bias="b"),), "half_squared_error")
P2 = {"w1": 0.5, "w2": -0.3, "b": 0.1}
RELU = Network(("x",), (Layer(("h",), "relu", (("w1",),)), Layer(("o",), "relu", (("w2",),))), "half_squared_error")
SIGMOID = Network(("x",), (Layer(("o",), "sigmoid", (("w",),)),), "binary_cross_entropy")


def two_by_hand(w1, w2, b, x1, x2, y):
    d = w1 * x1 + w2 * x2 + b - y
    return 0.5 * d * d, {"w1": d * x1, "w2": d * x2, "b": d}


def follows_naming_rule(name: str) -> bool:
    """The documented rule, written without the library's regular expression."""
    rest = string.ascii_letters + string.digits + "_"
    return 0 < len(name) <= MAX_NAME_LENGTH and name[0] in string.ascii_letters and all(c in rest for c in name)


name_candidates = st.one_of(
    st.text(alphabet=string.ascii_letters + string.digits + "_", min_size=0, max_size=MAX_NAME_LENGTH + 6),
    st.text(alphabet=string.ascii_letters + "_-. \n\tαéß²٣1", min_size=0, max_size=8),
    st.from_regex(r"[A-Za-z][A-Za-z0-9_]*\n", fullmatch=True),  # `$` would let the newline through
)
real_scalars = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False),
    st.integers(-(10**6), 10**6),
    st.tuples(
        st.sampled_from([np.float16, np.float32, np.float64, np.int8, np.int32, np.int64, np.uint16]),
        st.integers(0, 100),
    ).map(lambda pair: pair[0](pair[1])),
    st.fractions(min_value=-100, max_value=100, max_denominator=1000),
    st.floats(-1e6, 1e6, allow_nan=False).map(np.array),  # a 0-d array
)


class FrozenMapping(Mapping):
    """A Mapping that is not a dict, as a user's own configuration class might be."""

    def __init__(self, data):
        self._data = dict(data)

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self):
        return len(self._data)


def no_warnings(run):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run()
    assert not caught, [str(w.message) for w in caught]
    return result


# -- names ---------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, derandomize=True)
@given(name_candidates)
def test_a_name_is_accepted_exactly_when_it_follows_the_rule(name):
    neuron = "p" if name == "o" else "o"
    if follows_naming_rule(name):
        assert Layer((neuron,), "identity", ((name,),)).parameters() == [name]
    else:
        with pytest.raises(
            ValueError, match=r"weights\[0\]\[0\] must follow the naming rule \(a name starts with an ASCII letter"
        ):
            Layer((neuron,), "identity", ((name,),))


@pytest.mark.parametrize("name", [1, None, b"w", 2.5])
def test_a_name_that_is_not_a_string_is_a_type_error(name):
    with pytest.raises(TypeError, match=r"neurons\[0\] must be a name \(a str"):
        Layer((name,), "identity", (("w",),))


@pytest.mark.parametrize(
    "build,argument",
    [
        (lambda: Layer(("o",), "sigmoid", ("wa",)), r"weights\[0\]"),  # was read as the two weights 'w' and 'a'
        (lambda: Layer(("o",), "sigmoid", "w"), "weights"),
        (lambda: Layer("h", "relu", (("w",),)), "neurons"),
        (
            lambda: Network("x1", (Layer(("o",), "identity", (("w1", "w2"),)),), "half_squared_error"),
            "inputs",
        ),  # was 'x' and '1'
    ],
)
def test_a_string_where_names_are_expected_is_refused(build, argument):
    with pytest.raises(TypeError, match=f"{argument} must be a sequence of .* names, not one string"):
        build()


@pytest.mark.parametrize(
    "build,argument",
    [
        (lambda: Layer({"h1", "h2"}, "relu", (("w1",), ("w2",))), "neurons"),
        (lambda: Layer(("h1", "h2"), "relu", (("w1",), ("w2",)), bias={"b1", "b2"}), "bias"),
        (lambda: Layer(("o",), "relu", (frozenset({"w1", "w2"}),)), r"weights\[0\]"),
        (lambda: Network({"x1", "x2"}, (Layer(("o",), "identity", (("w1", "w2"),)),), "half_squared_error"), "inputs"),
        (
            lambda: Network({"x1": 1, "x2": 2}, (Layer(("o",), "identity", (("w1", "w2"),)),), "half_squared_error"),
            "inputs",
        ),
    ],
)
def test_unordered_collections_of_names_are_refused(build, argument):
    why = r"\((a set has no order|a mapping is not a sequence)\)"
    with pytest.raises(TypeError, match=rf"{argument} must be a tuple or list of .* in order; got a .* {why}"):
        build()


@pytest.mark.parametrize("activation", [["sigmoid"], {"f": "relu"}, None, 1])
def test_an_activation_that_is_not_a_string_names_the_allowed_ones(activation):
    with pytest.raises(TypeError, match="activation must be one of 'sigmoid', 'relu', 'tanh', 'identity'; got"):
        Layer(("o",), activation, (("w",),))


def test_a_loss_that_is_not_a_string_names_the_allowed_ones():
    with pytest.raises(
        TypeError,
        match="loss must be one of 'half_squared_error', 'mean_squared_error', 'binary_cross_entropy'; got list",
    ):
        Network(("x",), (Layer(("o",), "identity", (("w",),)),), ["half_squared_error"])


def test_one_layer_must_still_be_given_in_a_sequence():
    with pytest.raises(
        TypeError, match=r"layers must be a sequence of Layer; got one Layer \(write \(layer,\) for one\)"
    ):
        Network(("x",), Layer(("o",), "identity", (("w",),)), "half_squared_error")


def test_numpy_strings_are_names_like_any_other():
    net = Network(np.array(["x1", "x2"]), (Layer(("o",), np.str_("relu"), (("w1", "w2"),)),), "half_squared_error")
    assert net.inputs == ("x1", "x2") and all(type(x) is str for x in net.inputs)
    assert net.layers[0].activation == "relu" and type(net.layers[0].activation) is str


# -- sharing: every name occurs once -------------------------------------------------------------


@pytest.mark.parametrize(
    "build,where",
    [
        (lambda: Layer(("h",), "relu", (("w",),), bias="w"), "'w' is weights[0][0] and bias"),
        (lambda: Layer(("h1", "h2"), "relu", (("w1",), ("w2",)), bias=("b", "b")), "'b' is bias[0] and bias[1]"),
        (lambda: Layer(("h1", "h2"), "relu", (("w",), ("w",))), "'w' is weights[0][0] and weights[1][0]"),
        (lambda: Layer(("h", "h"), "relu", (("w1",), ("w2",))), "'h' is neurons[0] and neurons[1]"),
        (
            lambda: Network(
                ("x",), (Layer(("h",), "relu", (("w",),)), Layer(("o",), "relu", (("w",),))), "half_squared_error"
            ),
            "'w' is layers[0].weights[0][0] and layers[1].weights[0][0]",
        ),
        (
            lambda: Network(
                ("x",),
                (Layer(("h",), "relu", (("w1",),), bias="b"), Layer(("o",), "relu", (("w2",),), bias="b")),
                "half_squared_error",
            ),
            "'b' is layers[0].bias and layers[1].bias",
        ),
        (
            lambda: Network(("x",), (Layer(("x",), "relu", (("w",),)),), "half_squared_error"),
            "'x' is inputs[0] and layers[0].neurons[0]",
        ),
        (
            lambda: Network(
                ("x",), (Layer(("h",), "relu", (("w",),)), Layer(("o",), "relu", (("h",),))), "half_squared_error"
            ),
            "'h' is layers[0].neurons[0] and layers[1].weights[0][0]",
        ),
    ],
)
def test_a_repeated_name_says_where_each_occurrence_is(build, where):
    with pytest.raises(ValueError) as error:
        build()
    message = str(error.value)
    assert where in message and "a bias shared by the neurons of a layer is written once, as bias='b'" in message


@st.composite
def descriptions(draw):
    """(inputs, [(neurons, weights, bias)], every (name, place)) with all names different."""
    inputs = [f"x{i}" for i in range(draw(st.integers(1, 3)))]
    places = [(x, f"inputs[{i}]") for i, x in enumerate(inputs)]
    layers, previous = [], inputs
    for k in range(draw(st.integers(1, 3))):
        neurons = [f"n{k}_{j}" for j in range(draw(st.integers(1, 3)))]
        weights = [[f"w{k}_{j}_{i}" for i in range(len(previous))] for j in range(len(neurons))]
        kind = draw(st.sampled_from(["none", "shared", "per_neuron"]))
        bias = {"none": None, "shared": f"b{k}", "per_neuron": [f"b{k}_{j}" for j in range(len(neurons))]}[kind]
        places += [(n, f"layers[{k}].neurons[{j}]") for j, n in enumerate(neurons)]
        places += [(w, f"layers[{k}].weights[{j}][{i}]") for j, row in enumerate(weights) for i, w in enumerate(row)]
        places += (
            [(bias, f"layers[{k}].bias")]
            if kind == "shared"
            else [(b, f"layers[{k}].bias[{j}]") for j, b in enumerate(bias or [])]
        )
        layers.append([neurons, weights, bias])
        previous = neurons
    return inputs, layers, places


def network_of(inputs, layers):
    def bias(b):
        return b if b is None or isinstance(b, str) else tuple(b)

    return Network(
        tuple(inputs),
        tuple(Layer(tuple(n), "tanh", tuple(map(tuple, w)), bias(b)) for n, w, b in layers),
        "half_squared_error",
    )


def rename(inputs, layers, place, name):
    """Put ``name`` at ``place`` (as written by ``descriptions``)."""

    def copy_bias(b):
        return b if b is None or isinstance(b, str) else list(b)

    inputs, layers = list(inputs), [[list(n), [list(r) for r in w], copy_bias(b)] for n, w, b in layers]
    if place.startswith("inputs"):
        inputs[int(place[7:-1])] = name
        return inputs, layers
    k, rest = int(place[7 : place.index("]")]), place[place.index("].") + 2 :]
    indices = [int(i) for i in rest.replace("]", "").split("[")[1:]]
    if rest.startswith("neurons"):
        layers[k][0][indices[0]] = name
    elif rest.startswith("weights"):
        layers[k][1][indices[0]][indices[1]] = name
    elif indices:
        layers[k][2][indices[0]] = name
    else:
        layers[k][2] = name
    return inputs, layers


@settings(max_examples=60, deadline=None, derandomize=True)
@given(descriptions(), st.data())
def test_any_name_copied_to_a_second_place_is_refused_naming_both(description, data):
    inputs, layers, places = description
    assert network_of(inputs, layers).parameters == tuple(n for n, p in places if "weights" in p or "bias" in p)
    (name, first), (_, second) = data.draw(st.permutations(places))[:2]
    same_layer = "." in first and first.split(".")[0] == second.split(".")[0]
    with pytest.raises(ValueError) as error:
        network_of(*rename(inputs, layers, second, name))
    message = str(error.value)
    # Within one layer the Layer itself refuses the name, and says where in its own terms.
    expected = [p.split(".", 1)[1] if same_layer else p for p in (first, second)]
    assert f"{name!r} is " in message and all(p in message for p in expected), (expected, message)


def test_a_shared_bias_is_written_once_and_enters_every_neuron():
    layer = Layer(("h1", "h2"), "identity", (("w1",), ("w2",)), bias="b")
    assert layer.parameters() == ["w1", "w2", "b"] and layer.bias_of(0) == layer.bias_of(1) == "b"
    net = Network(("x",), (layer, Layer(("o",), "identity", (("v1", "v2"),))), "half_squared_error")
    # ∂L/∂b sums both paths: d·(v1 + v2) with d = v1(w1 x + b) + v2(w2 x + b) − y
    grads = backward(net, {"w1": 1.0, "w2": 2.0, "b": 0.5, "v1": 3.0, "v2": -1.0}, 2.0, 1.0).gradients
    d = 3.0 * (1.0 * 2.0 + 0.5) + (-1.0) * (2.0 * 2.0 + 0.5) - 1.0
    assert float(grads["b"]) == pytest.approx(d * (3.0 - 1.0), rel=1e-15)


# -- values ---------------------------------------------------------------------------------------

BAD_VALUES = [
    ("0.5", "the str '0.5'"),
    (True, "the truth value True"),
    (np.bool_(False), "the truth value"),
    (np.datetime64("2020-01-01"), "the datetime64"),
    (np.timedelta64(3, "s"), "the timedelta64"),
    (1 + 2j, "the complex"),
    (None, "the NoneType None"),
    (object(), "the object"),
    (Decimal("0.5"), "the Decimal"),
    (b"0.5", "the bytes b'0.5'"),
    ([True, 0.5], "a list with entries that are not real numbers"),
    ((0.5, None), "a tuple with entries that are not real numbers"),
    ((0.5, "1"), "an array of strings"),
    (["0.5", "1"], "an array of strings"),
    (np.array(["0.5"]), "an array of strings"),
    (np.array([True, False]), "an array of truth values"),
    (np.array([1 + 0j]), "an array of complex numbers"),
    (np.array(["2020-01-01"], dtype="datetime64[D]"), "an array of dates"),
    (np.array([0.5, None], dtype=object), "an array with entries that are not real numbers"),
    ([[1.0, 2.0], [3.0]], "nested sequences of different lengths"),
]
POSITIONS = {
    "parameter 'w'": lambda v: forward(ONE, {"w": v, "b": 0.0}, 1.0, 0.0),
    "input 'x'": lambda v: forward(ONE, {"w": 1.0, "b": 0.0}, {"x": v}, 0.0),
    "target y for 'o'": lambda v: forward(ONE, {"w": 1.0, "b": 0.0}, 1.0, {"o": v}),
}


@pytest.mark.parametrize("position", list(POSITIONS))
# ids from the expected words, not repr(value): an object()'s repr holds its address, which differs between
# pytest-xdist workers (they must collect the same ids)
@pytest.mark.parametrize("value,says", BAD_VALUES, ids=[says[:30] for _, says in BAD_VALUES])
def test_anything_but_real_numbers_is_a_type_error_naming_the_value(position, value, says):
    with pytest.raises(TypeError, match=f"{position} must be a real number or an array of real numbers; got {says}"):
        POSITIONS[position](value)


@pytest.mark.parametrize("position", list(POSITIONS))
@pytest.mark.parametrize("value", [float("nan"), float("inf"), -np.inf, np.array([0.0, np.nan])])
def test_nan_and_infinity_are_refused(position, value):
    with pytest.raises(ValueError, match=f"{position} must be finite"):
        POSITIONS[position](value)


@pytest.mark.parametrize("position", list(POSITIONS))
@pytest.mark.parametrize(
    "value", [10**400, -(10**309), np.longdouble("1e400") if np.finfo(np.longdouble).max > 1e400 else 10**500]
)
def test_numbers_beyond_float64_are_refused_as_too_large(position, value):
    with pytest.raises(ValueError, match=f"{position} is too large for float64"):
        no_warnings(lambda: POSITIONS[position](value))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(real_scalars, real_scalars, real_scalars, real_scalars)
def test_every_kind_of_real_number_is_read_as_its_value(w, b, x, y):
    fw, fb, fx, fy = (float(v) for v in (w, b, x, y))
    result = backward(ONE, {"w": w, "b": b}, x, y)
    d = fw * fx + fb - fy
    assert float(result.loss) == pytest.approx(0.5 * d * d, rel=1e-12, abs=1e-300)
    assert float(result.gradients["w"]) == pytest.approx(d * fx, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize(
    "build,message",
    [
        (
            lambda: Network((), (Layer(("o",), "identity", (("w",),)),), "half_squared_error"),
            "inputs must name at least one input",
        ),
        (lambda: Layer((), "identity", ()), "neurons must name at least one neuron"),
        (lambda: Network(("x",), (), "half_squared_error"), "layers must contain at least one Layer"),
    ],
)
def test_empty_descriptions_are_refused(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_other_sequences_and_keys_that_are_numpy_strings_work():
    expected = two_by_hand(0.5, -0.3, 0.1, 0.0, 1.0, 0.5)[0]
    assert float(forward(TWO, {np.str_(k): v for k, v in P2.items()}, range(2), 0.5).loss) == pytest.approx(
        expected, rel=1e-15
    )
    batch = forward(TWO, P2, [[0.1, 0.2], [0.3, 0.4]], 0.5).loss  # x1 = [0.1, 0.2], x2 = [0.3, 0.4]
    np.testing.assert_allclose(
        batch, two_by_hand(0.5, -0.3, 0.1, np.array([0.1, 0.2]), np.array([0.3, 0.4]), 0.5)[0], rtol=1e-14
    )


def test_an_empty_sweep_gives_empty_results():
    loss, grads = loss_and_gradients(TWO, dict(P2, w1=np.array([])), [1.0, 2.0], 0.5)
    assert loss.shape == (0,) and all(g.shape == (0,) for g in grads.values())


def test_negative_zero_is_an_ordinary_zero():
    assert float(forward(ONE, {"w": -0.0, "b": -0.0}, -0.0, 0.0).loss) == 0.0


@pytest.mark.parametrize("wrap", [dict, OrderedDict, types.MappingProxyType, FrozenMapping], ids=lambda w: w.__name__)
def test_any_mapping_serves_for_params_inputs_and_targets(wrap):
    params = {"w1": 0.5, "w2": -2.0, "b": 0.25}
    loss = float(forward(TWO, wrap(params), wrap({"x2": 3.0, "x1": 1.0}), wrap({"o": 1.0})).loss)
    assert loss == pytest.approx(two_by_hand(0.5, -2.0, 0.25, 1.0, 3.0, 1.0)[0], rel=1e-15)


# -- the forms of x and y -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "x,error,message",
    [
        (0.5, ValueError, r"x must have 2 values, one per input \['x1', 'x2'\]; got one number, 0.5"),
        (
            "12",
            TypeError,
            (
                "x must be a number, a sequence with one value per "
                "input in order, or a mapping of input name to value; "
                "got str '12'"
            ),
        ),
        ({0.1, 0.2}, TypeError, "x must be a number, .*; a set has no order"),
        (None, TypeError, "x must be a number, .*; got NoneType None"),
        ((v for v in (1.0, 2.0)), TypeError, "x must be a number, .*; got generator"),
        ([], ValueError, r"x must have 2 values, one per input \['x1', 'x2'\]; got 0"),
        ([1.0, 2.0, 3.0], ValueError, r"x must have 2 values, one per input \['x1', 'x2'\]; got 3"),
        ({}, ValueError, "x is missing 'x1', 'x2'; the inputs are 'x1', 'x2'"),
        ({"x1": 1.0}, ValueError, "x is missing 'x2'; the inputs are 'x1', 'x2'"),
        ({"x1": 1.0, "x2": 2.0, "x3": 3.0}, ValueError, "unknown input 'x3' in x; the inputs are 'x1', 'x2'"),
        ({"x1": 1.0, "x2": 2.0, 0: 3.0}, ValueError, "unknown input 0 in x"),
        ([0.1, "0.2"], TypeError, "input 'x2' must be a real number or an array of real numbers; got the str '0.2'"),
        (b"12", TypeError, "x must be a number, .*; got bytes b'12'"),  # was read as the inputs 49.0 and 50.0
        (
            {"x1": [np.zeros(3), 1.0], "x2": 1.0},
            TypeError,
            "input 'x1' must be .*; got nested sequences of different lengths",
        ),
    ],
)
def test_inputs_in_a_wrong_form_are_refused_with_the_allowed_forms(x, error, message):
    with pytest.raises(error, match=message):
        forward(TWO, P2, x, 0.0)


def test_one_input_given_an_array_is_told_how_to_give_it_several_values():
    hint = (
        r"x must have 1 value, one per input \['x'\]; got 3; to give "
        r"'x' several values at once, pass \[array\] or \{'x': array\}"
    )
    with pytest.raises(ValueError, match=hint):
        forward(ONE, {"w": 1.0, "b": 0.0}, np.linspace(0, 1, 3), 0.0)


@pytest.mark.parametrize(
    "y,error,message",
    [
        (
            "1",
            TypeError,
            (
                "y must be a number, a sequence with one value per "
                "output in order, or a mapping of output name to value; "
                "got str '1'"
            ),
        ),
        ({0.5}, TypeError, "y must be a number, .*; a set has no order"),
        ([], ValueError, r"y must have 1 value, one per output \['o'\]; got 0"),
        ({"o": 0.5, "p": 1.0}, ValueError, "unknown output 'p' in y; the outputs are 'o'"),
        ({}, ValueError, "y is missing 'o'; the outputs are 'o'"),
        (None, TypeError, "y must be a number, .*; got NoneType None"),
        (
            np.array([0.5, 1.0]),
            ValueError,
            r"y must have 1 value, .*; got 2; to give 'o' several values at once, pass \[array\]",
        ),
    ],
)
def test_targets_in_a_wrong_form_are_refused_with_the_allowed_forms(y, error, message):
    with pytest.raises(error, match=message):
        forward(ONE, {"w": 1.0, "b": 0.0}, 1.0, y)


def test_cross_entropy_targets_stay_within_zero_and_one():
    with pytest.raises(ValueError, match=r"target y for 'o' must lie in \[0, 1\] for binary_cross_entropy"):
        forward(SIGMOID, {"w": 1.0}, 1.0, [np.array([0.5, 1.5])])


def test_params_in_a_wrong_form_are_refused():
    with pytest.raises(TypeError, match="params must be a mapping of parameter name to value; got list"):
        forward(ONE, [1.0, 0.0], 1.0, 0.0)
    with pytest.raises(ValueError, match="params is missing 'w', 'b'; the parameters are 'w', 'b'"):
        forward(ONE, {}, 1.0, 0.0)
    with pytest.raises(ValueError, match="unknown parameter 1; the parameters are 'w', 'b'"):
        forward(ONE, {"w": 1.0, "b": 0.0, 1: 2.0}, 1.0, 0.0)
    with pytest.raises(TypeError, match="network must be a Network; got str"):
        forward("shared_bias", {"w": 1.0}, 1.0, 0.0)


# -- broadcasting ---------------------------------------------------------------------------------

small = st.floats(-3, 3, allow_nan=False)
scalar_or_array = st.one_of(small, st.lists(small, min_size=4, max_size=4).map(np.array))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(scalar_or_array, scalar_or_array, scalar_or_array, scalar_or_array)
def test_inputs_and_targets_in_a_list_broadcast_like_a_dict(x1, x2, y, w1):
    expected_loss, expected = two_by_hand(w1, -0.3, 0.1, x1, x2, y)
    shape = np.broadcast_shapes(*map(np.shape, (x1, x2, y, w1)))
    params = dict(P2, w1=w1)
    for x, target in [([x1, x2], [y]), ((x1, x2), (y,)), ({"x1": x1, "x2": x2}, {"o": y})]:
        loss, grads = loss_and_gradients(TWO, params, x, target)
        assert loss.shape == shape and all(g.shape == shape for g in grads.values())
        np.testing.assert_allclose(loss, np.broadcast_to(expected_loss, shape), rtol=1e-13, atol=1e-12)
        for name, value in expected.items():
            np.testing.assert_allclose(grads[name], np.broadcast_to(value, shape), rtol=1e-13, atol=1e-12)
        np.testing.assert_allclose(
            forward(TWO, params, x, target).loss, np.broadcast_to(expected_loss, shape), rtol=1e-13, atol=1e-12
        )


def test_the_issues_mixed_list_now_gives_five_settings():
    loss, grads = loss_and_gradients(TWO, P2, [np.linspace(0, 1, 5), 1.0], [0.5])
    expected_loss, expected = two_by_hand(0.5, -0.3, 0.1, np.linspace(0, 1, 5), 1.0, 0.5)
    np.testing.assert_allclose(loss, expected_loss, rtol=1e-14)
    np.testing.assert_allclose(grads["w2"], expected["w2"], rtol=1e-14)


@pytest.mark.parametrize("run", [forward, backward, loss_and_gradients], ids=lambda f: f.__name__)
def test_shapes_that_cannot_broadcast_are_named(run):
    message = (
        r"cannot broadcast to one shape \(each axis must agree or be 1\): "
        r"shape \(3,\) for parameter 'w1'; shape \(5,\) for input 'x1', target y for 'o'"
    )
    with pytest.raises(ValueError, match=message):
        run(TWO, dict(P2, w1=np.zeros(3)), [np.linspace(0, 1, 5), 1.0], [np.zeros(5)])


def test_a_batch_beyond_the_stated_size_is_refused_before_any_arithmetic():
    column, row = np.zeros((4000, 1)), np.zeros((1, 4000))
    message = rf"broadcast to shape \(4000, 4000\), 16,000,000 settings; one call takes at most {MAX_SETTINGS:,}"
    with pytest.raises(ValueError, match=message):
        loss_and_gradients(TWO, dict(P2, w1=column), [row, 1.0], 0.0)


@pytest.mark.parametrize(
    "params,x",
    [
        (P2, [1.0, 2.0]),  # every result 0-d
        (dict(P2, w1=np.linspace(-1, 1, 4)), [1.0, 2.0]),
        (P2, [np.linspace(-1, 1, 4), 1.0]),  # ∂L/∂w1 = d·x1 while ∂L/∂b = d: same shape, separate arrays
        (dict(P2, b=np.zeros((2, 1))), [np.ones(3), 1.0]),
    ],
)
def test_loss_and_gradients_returns_writable_arrays_of_their_own(params, x):
    originals = {k: np.copy(v) for k, v in params.items()}, [np.copy(v) for v in x]
    loss, grads = loss_and_gradients(TWO, params, x, 0.5)
    results = [loss, *grads.values()]
    kept = [np.copy(r) for r in results]
    for i, result in enumerate(results):
        assert result.flags.writeable
        result[...] = 1e3 + i
        for j, other in enumerate(results):
            np.testing.assert_array_equal(other, np.full_like(kept[j], 1e3 + j) if j <= i else kept[j])
    for name, value in params.items():
        np.testing.assert_array_equal(value, originals[0][name])
    for value, original in zip(x, originals[1]):
        np.testing.assert_array_equal(value, original)


# -- overflow and saturation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "run,entry,largest",
    [
        (lambda: forward(ONE, {"w": 1.0, "b": 0.0}, 1.0, 1e308), "forward", "target y for 'o' = 1e+308"),
        (lambda: backward(ONE, {"w": 1.0, "b": 0.0}, 1e155, 0.0), "backward", "input 'x' = 1e+155"),
        (
            lambda: loss_and_gradients(ONE, {"w": 1.0, "b": 0.0}, [np.array([1.0, 1e155])], 0.0),
            "loss_and_gradients",
            "input 'x' = 1e+155",
        ),
        (lambda: backward(RELU, {"w1": 1e100, "w2": 1e100}, 1e100, 0.0), "backward", "parameter 'w1' = 1e+100"),
        (
            lambda: loss_and_gradients(RELU, {"w1": 1e100, "w2": 1.0}, 1e100, 0.0),
            "loss_and_gradients",
            "parameter 'w1' = 1e+100",
        ),
        (lambda: chain_rule(RELU, {"w1": 1e100, "w2": 1e100}, 1e100, 0.0, "w1"), "backward", "parameter 'w1' = 1e+100"),
    ],
)
def test_overflow_is_a_value_error_naming_the_largest_values_never_a_warning(run, entry, largest):
    message = (
        rf"^{entry}: these settings overflow float64 \(numpy: overflow "
        r"encountered in .*\); the largest values given are .*"
    )
    message += re.escape(largest)
    with pytest.raises(ValueError, match=message):
        no_warnings(run)


def test_saturated_sigmoids_still_work_and_underflow_quietly():
    ex = load_example("shared_bias")
    sweep = dict(ex.params, w5=np.array([-2000.0, 2000.0]))  # z_out ≈ ±1000 and beyond
    fwd = no_warnings(lambda: forward(ex.network, sweep, ex.x, ex.y))
    assert fwd.a["out"].tolist() == [0.0, 1.0]
    loss, grads = no_warnings(lambda: loss_and_gradients(ex.network, sweep, ex.x, ex.y))
    assert np.all(np.isfinite(loss)) and all(np.all(np.isfinite(g)) for g in grads.values())
    assert float(no_warnings(lambda: forward(SIGMOID, {"w": 1000.0}, -1.0, 0.0)).a["o"]) == 0.0


def test_large_but_representable_values_are_computed():
    loss = float(forward(ONE, {"w": 1.0, "b": 0.0}, 1e150, 0.0).loss)
    assert loss == pytest.approx(0.5e300, rel=1e-15)


# -- the one unknown-parameter check, and its cost ------------------------------------------------


def test_one_check_for_parameter_names_everywhere():
    ex = load_example("tiny_relu")
    assert ex.network.check_parameter_name("w2") == "w2"
    message = "unknown parameter 'v'; the parameters are 'w1', 'w2'"
    with pytest.raises(ValueError, match=message):
        ex.network.check_parameter_name("v")
    with pytest.raises(ValueError, match=message):
        chain_rule(ex.network, ex.params, ex.x, ex.y, "v")
    with pytest.raises(ValueError, match=message):
        loss_along(ex.network, Settings.of(ex), "v", np.linspace(-1, 1, 3))
    with pytest.raises(ValueError, match=r"unknown parameter \['w1'\]"):
        ex.network.check_parameter_name(["w1"])
    with pytest.raises(ValueError, match="unknown parameter 'h'"):  # a neuron is not a parameter
        ex.network.check_parameter_name("h")


def test_a_large_network_lists_the_start_of_its_parameters_and_their_number():
    net = layered_network(3, [50] * 5 + [1], ["tanh"] * 5 + ["sigmoid"], "half_squared_error")
    assert len(net.parameters) == 10_451
    with pytest.raises(
        ValueError, match=r"unknown parameter 'v'; the parameters are 'w1_1_1', .*, … \(10,451 in all\)$"
    ):
        net.check_parameter_name("v")


def test_the_parameter_list_is_built_once():
    # Rebuilding it on every lookup made checking a 10,451-parameter network quadratic (35 s per backward).
    net = layered_network(2, [3, 1], ["tanh", "identity"], "half_squared_error")
    assert net.parameters is net.parameters and net.neurons is net.neurons
    assert net.parameters == tuple(p for layer in net.layers for p in layer.parameters())


def test_the_checked_functions_keep_their_names_and_documentation():
    for function in (forward, backward, loss_and_gradients):
        assert function.__module__ == "backproplib.engine.numeric" and ">>>" in function.__doc__
    assert [f.__name__ for f in (forward, backward, loss_and_gradients)] == [
        "forward",
        "backward",
        "loss_and_gradients",
    ]


# -- one naming rule for the numeric network and its symbolic twin --------------------------------

twin_names = st.from_regex(rf"[A-Za-z][A-Za-z0-9_]{{0,{MAX_NAME_LENGTH - 1}}}", fullmatch=True).filter(
    # the twin's own symbols, which it refuses with its own message: L, y, y_<output>, z_<neuron>, a_<neuron>
    lambda n: n not in ("x", "o", "L", "y", "y_o", "z_o", "a_o")
)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(twin_names)
def test_every_name_the_network_accepts_works_in_the_symbolic_twin(name):
    # A weight named '_w' used to pass Network and fail SymbolicNetwork; the rule now refuses it in both.
    from backproplib.engine.symbolic import SymbolicNetwork, latex_symbol

    net = Network(("x",), (Layer(("o",), "identity", ((name,),)),), "half_squared_error")
    loss, gradients = SymbolicNetwork(net).evaluate({name: 2.0}, 3.0, 1.0)
    assert loss == pytest.approx(12.5, rel=1e-15) and gradients[name] == pytest.approx(
        15.0, rel=1e-15
    )  # ½(2·3 − 1)², (2·3 − 1)·3
    assert isinstance(latex_symbol(name), str)
