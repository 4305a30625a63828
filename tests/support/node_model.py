"""Run a generated JavaScript model (backproplib.engine.javascript) under node, many calls at once.

One node process per network: the calls go in as JSON on stdin, the results come back as JSON on
stdout. JSON carries every finite double exactly (shortest round-trip digits on both sides); the
non-finite ones travel as the strings "Infinity", "-Infinity" and "NaN" and come back as floats.
"""
from __future__ import annotations

import json
import math
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

NODE = shutil.which("node") or "/usr/bin/node"

# Each request is the argument list of one call of the model's function of that name.
_DRIVER = """
const model = %s;
const requests = JSON.parse(require("fs").readFileSync(0, "utf8"));
const results = {};
for (const [name, calls] of Object.entries(requests)) {
  results[name] = calls.map((args) => model[name](...args));
}
results.names = { parameters: model.parameters, inputs: model.inputs, outputs: model.outputs, neurons: model.neurons };
// typed arrays (a sweep's columns) as plain lists; non-finite numbers as strings
const plain = (key, v) =>
  ArrayBuffer.isView(v) ? Array.from(v) : typeof v === "number" && !Number.isFinite(v) ? String(v) : v;
process.stdout.write(JSON.stringify(results, plain));
"""


def _floats(value: Any) -> Any:
    """The JSON result with the non-finite strings turned back into floats."""
    if isinstance(value, str) and value in ("Infinity", "-Infinity", "NaN"):
        return float(value.replace("Infinity", "inf"))
    if isinstance(value, list):
        return [_floats(v) for v in value]
    if isinstance(value, dict):
        return {k: _floats(v) for k, v in value.items()}
    return value


def _plain(value: Any) -> Any:
    """Requests as JSON: floats stay exact; a non-finite float would not be JSON, so it is refused."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"requests must hold finite numbers; got {value}")
    return value


def run_model(source: str, requests: dict[str, list[list[Any]]], timeout: float = 60.0) -> dict[str, Any]:
    """Evaluate the model expression ``source`` in node and make every call in ``requests``.

    ``requests`` maps a model function (``evaluate``, ``step``, ``sweep``, ``train``) to a list of
    argument lists; the result maps it to the list of return values, plus ``names``: the model's
    name lists.
    """
    text = json.dumps(requests, allow_nan=False, default=_plain)
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "driver.js"
        script.write_text(_DRIVER % source)
        done = subprocess.run(
            [NODE, str(script)], input=text, capture_output=True, text=True, timeout=timeout, check=False
        )
    if done.returncode:
        raise RuntimeError(f"node failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return _floats(json.loads(done.stdout))
