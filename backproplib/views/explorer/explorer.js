/*
 * The book's browser explorer: sliders, a dropdown, two uPlot charts and text readouts, recomputed
 * in the reader's browser with no kernel and no network.
 *
 * Generic on purpose: nothing here knows a network's mathematics. Python writes a *panel
 * description* (backproplib/views/explorer.py) and a *model* (generated JavaScript, one per
 * network); this file draws controls from the first and asks the second for numbers.
 *
 * The model contract (theta, x, y: plain arrays of numbers in network order):
 *
 *   {
 *     parameters: ["w1", "w2"],            // names, network order
 *     inputs: ["x"], outputs: ["o"], neurons: ["h", "o"],
 *     evaluate(theta, x, y) -> { loss: number, gradients: number[]  // one per parameter
 *                                z: number[], a: number[], delta: number[] }  // one per neuron
 *     step(theta, x, y, rate) -> [loss before the step, newTheta (number[])]
 *   }
 *
 * The panel description (JSON):
 *
 *   {
 *     "title": string,                     // names the region for screen readers
 *     "groups": [{"legend": string, "controls": [Control, ...]}, ...],
 *     "sweep": {"label": string, "options": [parameter names], "value": name, "points": int >= 2},
 *     "divergence_limit": number,          // training stops once a loss or parameter passes it
 *     "charts": {"colours": {"loss", "point", "tangent", "training": "#rrggbb"},
 *                "labels": {"loss_axis", "loss_curve", "tangent", "point" ("{parameter}" is
 *                           replaced), "epoch_axis", "training_axis"}}
 *   }
 *   Control = {"role": "parameter" | "input" | "target" | "rate" | "epochs",
 *              "name": string,  // a model parameter, input or output name; "rate"/"epochs" free
 *              "label": string, "min": number, "max": number, "step": number,
 *              "decimals": int, // min, max, step and value are whole multiples of 10^-decimals
 *              "value": number} // min <= value <= max, on a step from min
 *           | {"role", "name", "label",
 *              "stops": [number, ...], "texts": [string, ...],  // listed positions (increasing)
 *              "value": number}                                  // one of the stops
 *
 * Trade-offs:
 * - A slider is an <input type=range> over positions 0..count, not over values: the value of
 *   position i is (minUnits + i·stepUnits) / 10^decimals, computed from integers, so the
 *   chapter's value (0.15, not 0.15000000000000002 or 0.158) is a position, its readout is that
 *   exact decimal, and the arrow keys move one step.
 * - A redraw runs at once when none ran in the last frame (16 ms), so a key press is drawn
 *   without waiting for the next animation frame; inputs closer together than that (a held key,
 *   a dragged slider) are coalesced into one redraw at the next frame. uPlot instances are made
 *   once and fed with setData. The training chart keeps two instances (linear and log y) because uPlot fixes
 *   a scale's distribution when it is made; only the one on show is updated.
 * - Pure functions (arithmetic, formatting, axis decisions, guards) take no DOM and are exported
 *   to node for the unit tests (tests/test_explorer_frontend.py).
 */
(function (root, factory) {
  "use strict";
  const api = factory(root);
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.BackpropExplorer = api;
    api.startQueue(root);
  }
})(typeof self !== "undefined" ? self : this, function (root) {
  "use strict";

  const MINUS = "\u2212";
  const FRAME_MS = 16; // one frame at 60 Hz: at most one redraw per frame however fast inputs come
  const ROLES = ["parameter", "input", "target", "rate", "epochs"];

  // ------------------------------------------------------------------------------------------
  // Pure parts: no DOM, unit-tested under node
  // ------------------------------------------------------------------------------------------

  /** `x` as a whole number of 10^-decimals units; throws when `x` is not exactly on that grid. */
  function decimalUnits(x, decimals, what) {
    if (!Number.isInteger(decimals) || decimals < 0 || decimals > 15) {
      throw new RangeError(`${what}: decimals must be a whole number from 0 to 15; got ${decimals}`);
    }
    if (typeof x !== "number" || !Number.isFinite(x)) {
      throw new TypeError(`${what} must be a finite number; got ${x}`);
    }
    const scale = 10 ** decimals;
    const units = Math.round(x * scale);
    if (!Number.isSafeInteger(units) || units / scale !== x) {
      throw new RangeError(`${what} = ${x} is not a whole multiple of 1e-${decimals}`);
    }
    return units;
  }

  /** Slider positions of a control: integers only, checked against the description. */
  function positions(control) {
    const what = `control ${JSON.stringify(control.name)}`;
    if (control.stops) return listedPositions(control, what);
    const d = control.decimals;
    const low = decimalUnits(control.min, d, `${what}: min`);
    const high = decimalUnits(control.max, d, `${what}: max`);
    const step = decimalUnits(control.step, d, `${what}: step`);
    const value = decimalUnits(control.value, d, `${what}: value`);
    if (!(step > 0 && low < high)) {
      throw new RangeError(`${what}: needs min < max and step > 0; got min ${control.min}, max ${control.max}, step ${control.step}`);
    }
    if ((high - low) % step !== 0 || (value - low) % step !== 0 || value < low || value > high) {
      throw new RangeError(`${what}: max and value must lie on a step from min; got min ${control.min}, max ${control.max}, step ${control.step}, value ${control.value}`);
    }
    return { first: low, step: step, decimals: d, count: (high - low) / step, index: (value - low) / step };
  }

  /** Positions of a control over listed stops (e.g. a learning rate even in log10): the stops' indices. */
  function listedPositions(control, what) {
    const { stops, texts } = control;
    const ordered = stops.every((v, i) => Number.isFinite(v) && (i === 0 || v > stops[i - 1]));
    if (!ordered || stops.length < 2 || !Array.isArray(texts) || texts.length !== stops.length) {
      throw new RangeError(`${what}: stops must be 2 or more increasing finite numbers, each with a text`);
    }
    const index = stops.indexOf(control.value);
    if (index < 0) throw new RangeError(`${what}: value must be one of the stops; got ${control.value}`);
    return { stops: stops, texts: texts, count: stops.length - 1, index: index };
  }

  /** The value at position `i`: one correctly rounded division of two exact integers (or the stop). */
  function positionValue(pos, i) {
    if (pos.stops) return pos.stops[i];
    return (pos.first + i * pos.step) / 10 ** pos.decimals;
  }

  /** The exact decimal text of position `i`: "0.15", "−2", "1.1" (no trailing zeros, no −0). */
  function positionText(pos, i) {
    if (pos.stops) return pos.texts[i];
    const units = pos.first + i * pos.step;
    const digits = String(Math.abs(units)).padStart(pos.decimals + 1, "0");
    const cut = digits.length - pos.decimals;
    let text = digits.slice(0, cut);
    const fraction = digits.slice(cut).replace(/0+$/, "");
    if (fraction) text += "." + fraction;
    return units < 0 ? MINUS + text : text;
  }

  /** |x| exactly, as a whole number of digits times a power of ten: [BigInt digits, exponent]. */
  function exactDecimal(x) {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, Math.abs(x));
    const high = view.getUint32(0);
    const biased = (high >>> 20) & 0x7ff;
    let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(view.getUint32(4));
    let power = -1074; // subnormal
    if (biased !== 0) {
      mantissa |= 1n << 52n;
      power = biased - 1075;
    }
    if (power >= 0) return [mantissa << BigInt(power), 0];
    return [mantissa * 5n ** BigInt(-power), power]; // m / 2^k = m·5^k / 10^k
  }

  /** |x| rounded to `p` significant digits, ties to even (as Python does): [digit string, exponent of the first]. */
  function significant(x, p) {
    let [digits, power] = exactDecimal(x);
    const length = digits.toString().length;
    if (length > p) {
      const drop = BigInt(length - p);
      const unit = 10n ** drop;
      const rest = digits % unit;
      digits /= unit;
      const half = unit / 2n;
      if (rest > half || (rest === half && digits % 2n === 1n)) digits += 1n;
      power += length - p;
    }
    const text = digits.toString();
    return [text, text.length - 1 + power];
  }

  /**
   * `value` like Python's format(value, ".4g") (`digits` significant digits, exact ties to even),
   * with the minus sign U+2212 and never "−0": a value that rounds to zero is shown as "0".
   */
  function formatNumber(value, digits) {
    const p = digits === undefined ? 4 : digits;
    if (Number.isNaN(value)) return "not a number";
    if (!Number.isFinite(value)) return value > 0 ? "\u221e" : MINUS + "\u221e";
    if (value === 0) return "0";
    const [text, exponent] = significant(value, p);
    const shown = text.padEnd(p, "0");
    let body;
    if (exponent < -4 || exponent >= p) {
      body = pointed(shown[0], shown.slice(1)) + "e" + (exponent < 0 ? MINUS : "+") + String(Math.abs(exponent)).padStart(2, "0");
    } else if (exponent < 0) {
      body = pointed("0", "0".repeat(-exponent - 1) + shown);
    } else {
      body = pointed(shown.slice(0, exponent + 1), shown.slice(exponent + 1));
    }
    return (value < 0 ? MINUS : "") + body;
  }

  /** "12" and "340" give "12.34"; "12" and "000" give "12" (trailing zeros dropped, as %g does). */
  function pointed(whole, fraction) {
    const kept = fraction.replace(/0+$/, "");
    return kept ? whole + "." + kept : whole;
  }

  /** Axis tick text: shortest form of the tick value, U+2212 for minus, never "−0". */
  function formatTick(value) {
    if (value === null || value === undefined) return "";
    const tidy = Number(value.toPrecision(12));
    if (tidy === 0) return "0";
    const magnitude = Math.abs(tidy);
    const text = magnitude < 1e-3 || magnitude >= 1e5 ? formatNumber(tidy, 3) : String(tidy);
    return text.replace(/-/g, MINUS);
  }

  /** The smallest of 1, 2, 2.5, 5 × a power of ten that is at least `value` (1 for value <= 0). */
  function roundUp(value) {
    if (!(value > 0) || !Number.isFinite(value)) return 1;
    const power = 10 ** Math.floor(Math.log10(value));
    for (const m of [1, 2, 2.5, 5, 10]) {
      const top = Number((m * power).toPrecision(12));
      if (top >= value * (1 - 1e-12)) return top;
    }
    return 10 * power;
  }

  /**
   * Top of a loss axis that starts at 0: kept while the data fits under it and reaches a sixth of
   * the way up (so the eye can follow a change), else the next round number above 1.05 × max.
   */
  function lossAxisTop(maxLoss, previousTop) {
    if (!Number.isFinite(maxLoss)) return previousTop > 0 ? previousTop : 1;
    const needed = 1.05 * Math.max(maxLoss, 0);
    if (previousTop > 0 && previousTop / 6 <= needed && needed <= previousTop) return previousTop;
    return roundUp(needed);
  }

  /** Log y axis when the finite losses are all positive and span more than two decades. */
  function useLogAxis(losses) {
    let low = Infinity;
    let high = -Infinity;
    for (const loss of losses) {
      if (loss === null || !Number.isFinite(loss)) continue;
      if (loss <= 0) return false;
      if (loss < low) low = loss;
      if (loss > high) high = loss;
    }
    return high > 0 && high / low > 100;
  }

  /** Ticks of a log axis: powers of ten from `low` to `high`, every k-th so that at most `most` show. */
  function decadeTicks(low, high, most) {
    const first = Math.ceil(Math.log10(low) - 1e-9);
    const last = Math.floor(Math.log10(high) + 1e-9);
    if (!(Number.isFinite(first) && Number.isFinite(last)) || last < first) return [low, high];
    const every = Math.max(1, Math.ceil((last - first + 1) / most));
    const ticks = [];
    for (let k = first; k <= last; k += every) ticks.push(Number("1e" + k)); // exact powers of ten
    return ticks;
  }

  /** Non-finite numbers become null (a gap uPlot can draw); also counts them. */
  function finiteOrNull(values) {
    let dropped = 0;
    const kept = values.map((v) => {
      if (typeof v === "number" && Number.isFinite(v)) return v;
      dropped += 1;
      return null;
    });
    return { values: kept, dropped: dropped };
  }

  /** `points` evenly spaced values from `low` to `high`, both ends exact. */
  function grid(low, high, points) {
    const values = new Array(points);
    for (let i = 0; i < points; i += 1) values[i] = low + ((high - low) * i) / (points - 1);
    values[points - 1] = high;
    return values;
  }

  /** The model's loss with parameter `index` of `theta` set to each of `values`. */
  function sweepLosses(model, theta, x, y, index, values) {
    const moved = theta.slice();
    return values.map((v) => {
      moved[index] = v;
      return model.evaluate(moved, x, y).loss;
    });
  }

  /**
   * Gradient descent from `theta` for `epochs` steps: the loss before each step and after the last
   * (epochs + 1 numbers). Stops, like backproplib's train, once a loss or a parameter passes
   * `limit` or stops being finite.
   */
  function trainingLosses(model, theta, x, y, rate, epochs, limit) {
    const losses = [];
    let current = theta;
    for (let epoch = 0; epoch <= epochs; epoch += 1) {
      const [loss, stepped] = model.step(current, x, y, rate);
      losses.push(loss);
      if (!(Math.abs(loss) <= limit)) return { losses: losses, diverged: true };
      if (epoch < epochs) {
        if (!stepped.every((v) => Math.abs(v) <= limit)) return { losses: losses, diverged: true };
        current = stepped;
      }
    }
    return { losses: losses, diverged: false };
  }

  /**
   * Aligned series for the loss chart: the sweep grid with the current value and the tangent's
   * two ends merged in (sorted), the loss at every x, the tangent only at its ends and the point.
   */
  function lossChartData(model, theta, x, y, index, sweepValues, here, halfWidth) {
    const current = theta[index];
    const slope = here.gradients[index];
    const showTangent = Number.isFinite(here.loss) && Number.isFinite(slope);
    const extra = showTangent ? [current - halfWidth, current, current + halfWidth] : [current];
    const xs = Array.from(new Set(sweepValues.concat(extra))).sort((a, b) => a - b);
    const losses = finiteOrNull(sweepLosses(model, theta, x, y, index, xs));
    const tangent = xs.map((v) => (showTangent && extra.includes(v) ? here.loss + slope * (v - current) : null));
    const point = xs.map((v) => (v === current && Number.isFinite(here.loss) ? here.loss : null));
    return { data: [xs, losses.values, tangent, point], dropped: losses.dropped, showTangent: showTangent };
  }

  /** Every name the model lists, checked; a clear message instead of a silent blank panel. */
  function checkModel(model) {
    if (!model || typeof model !== "object") throw new TypeError("the model must be an object; got " + typeof model);
    for (const key of ["parameters", "inputs", "outputs", "neurons"]) {
      if (!Array.isArray(model[key]) || !model[key].every((n) => typeof n === "string")) {
        throw new TypeError(`model.${key} must be an array of names`);
      }
    }
    for (const key of ["evaluate", "step"]) {
      if (typeof model[key] !== "function") throw new TypeError(`model.${key} must be a function`);
    }
    if (model.parameters.length === 0) throw new RangeError("model.parameters must name at least one parameter");
  }

  /** The description's controls by role and name, checked against the model. */
  function checkPanel(panel, model) {
    const controls = [];
    for (const group of panel.groups || []) controls.push(...(group.controls || []));
    for (const c of controls) {
      if (!ROLES.includes(c.role)) throw new RangeError(`control ${JSON.stringify(c.name)}: role must be one of ${ROLES.join(", ")}; got ${JSON.stringify(c.role)}`);
    }
    const named = { parameter: model.parameters, input: model.inputs, target: model.outputs };
    for (const role of ROLES) {
      const names = controls.filter((c) => c.role === role).map((c) => c.name);
      if (!(role in named)) {
        if (names.length !== 1) throw new RangeError(`the panel needs exactly one ${role} control; got ${names.length}`);
      } else if (names.length !== named[role].length || !named[role].every((n) => names.includes(n))) {
        throw new RangeError(`the panel needs one ${role} control per name in ${JSON.stringify(named[role])}; got ${JSON.stringify(names)}`);
      }
    }
    const sweep = panel.sweep || {};
    if (!Array.isArray(sweep.options) || !sweep.options.every((n) => model.parameters.includes(n)) || !sweep.options.includes(sweep.value)) {
      throw new RangeError(`sweep.options must be model parameters and include sweep.value; got ${JSON.stringify(sweep)}`);
    }
    if (!Number.isInteger(sweep.points) || sweep.points < 2) throw new RangeError(`sweep.points must be a whole number >= 2; got ${sweep.points}`);
    if (!(panel.divergence_limit > 0 && Number.isFinite(panel.divergence_limit))) {
      throw new RangeError(`divergence_limit must be a finite number > 0; got ${panel.divergence_limit}`);
    }
    const charts = panel.charts || {};
    for (const key of ["loss", "point", "tangent", "training"]) {
      if (!charts.colours || typeof charts.colours[key] !== "string") throw new TypeError(`charts.colours.${key} must be a colour`);
    }
    for (const key of ["loss_axis", "loss_curve", "tangent", "point", "epoch_axis", "training_axis"]) {
      if (!charts.labels || typeof charts.labels[key] !== "string") throw new TypeError(`charts.labels.${key} must be text`);
    }
    return controls;
  }

  // ------------------------------------------------------------------------------------------
  // The page: controls, readouts, charts
  // ------------------------------------------------------------------------------------------

  function element(tag, attributes, text) {
    const node = root.document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text; // unchanged text is not re-announced
  }

  let counter = 0;

  function buildSlider(ex, control) {
    const pos = positions(control);
    const id = `bp-control-${(counter += 1)}`;
    const row = element("div", { class: "bp-explorer-control" });
    const label = element("label", { for: id }, control.label);
    const input = element("input", { type: "range", id: id, min: "0", max: String(pos.count), step: "1", value: String(pos.index) });
    const output = element("output", { for: id, class: "bp-explorer-value" });
    row.append(label, input, output);
    const slider = { control: control, pos: pos, input: input, output: output, index: pos.index };
    const show = () => {
      const text = positionText(pos, slider.index);
      input.setAttribute("aria-valuetext", text);
      output.textContent = text;
    };
    show();
    input.addEventListener("input", () => {
      slider.index = Number(input.value);
      show();
      ex.schedule();
    });
    ex.sliders.push(slider);
    return row;
  }

  function buildSweepChoice(ex, sweep) {
    const id = `bp-control-${(counter += 1)}`;
    const row = element("div", { class: "bp-explorer-control" });
    const select = element("select", { id: id });
    for (const name of sweep.options) select.append(element("option", { value: name }, name));
    select.value = sweep.value;
    select.addEventListener("input", () => ex.schedule());
    row.append(element("label", { for: id }, sweep.label), select);
    ex.sweepSelect = select;
    return row;
  }

  function buildControls(ex, panel) {
    const form = element("form", { class: "bp-explorer-controls" });
    form.addEventListener("submit", (event) => event.preventDefault());
    for (const group of panel.groups) {
      const fieldset = element("fieldset");
      fieldset.append(element("legend", {}, group.legend));
      for (const control of group.controls) fieldset.append(buildSlider(ex, control));
      form.append(fieldset);
    }
    const sweepSet = element("fieldset");
    sweepSet.append(element("legend", {}, "loss curve"), buildSweepChoice(ex, panel.sweep));
    form.append(sweepSet);
    return form;
  }

  function buildReadouts(ex) {
    const region = element("div", { class: "bp-explorer-readouts", "aria-live": "polite" });
    const lines = {};
    for (const key of ["setting", "loss", "gradient", "training"]) {
      lines[key] = element("p", { "data-readout": key });
      region.append(lines[key]);
    }
    const table = element("table", { class: "bp-explorer-neurons" });
    const head = element("tr");
    for (const h of ["neuron", "z", "a", "\u03b4"]) head.append(element("th", { scope: "col" }, h));
    table.append(element("caption", {}, "each neuron at the current settings"), head);
    lines.neurons = ex.model.neurons.map((name) => {
      const row = element("tr", { "data-neuron": name });
      row.append(element("th", { scope: "row" }, name));
      const cells = ["z", "a", "delta"].map((key) => element("td", { "data-readout": `${key}_${name}` }));
      row.append(...cells);
      table.append(row);
      return cells;
    });
    region.append(table);
    ex.readouts = lines;
    return region;
  }

  function chartFont(size, bold) {
    return `${bold ? "bold " : ""}${size}px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif`;
  }

  function axis(label, size) {
    return {
      label: label, font: chartFont(13), labelFont: chartFont(14, true), size: size, labelSize: 22,
      stroke: "#222", grid: { stroke: "#e4e4e4", width: 1 }, ticks: { stroke: "#999", width: 1 },
      values: (u, splits) => splits.map(formatTick),
    };
  }

  function drawn(ex) {
    return () => {
      ex.stats.draws += 1;
      ex.stats.drawnAt = root.performance.now();
    };
  }

  function lossChart(ex, target, width) {
    const c = ex.panel.charts;
    const y = { range: () => [0, ex.lossTop] };
    const x = { time: false, range: () => ex.sweepRange };
    return new root.uPlot({
      width: width, height: 280, scales: { x: x, y: y }, cursor: { show: false }, legend: { live: false },
      axes: [axis(ex.sweepSelect.value, 48), axis(c.labels.loss_axis, 70)],
      series: [
        { label: ex.sweepSelect.value },
        { label: c.labels.loss_curve, stroke: c.colours.loss, width: 2, points: { show: false } },
        { label: c.labels.tangent, stroke: c.colours.tangent, width: 4, dash: [12, 6], spanGaps: true, points: { show: false } },
        { label: pointLabel(ex), stroke: c.colours.point, fill: c.colours.point, width: 0, paths: () => null,
          points: { show: true, size: 11, width: 0, fill: c.colours.point, stroke: c.colours.point } },
      ],
      hooks: { draw: [drawn(ex)] },
    }, null, target);
  }

  function pointLabel(ex) {
    return ex.panel.charts.labels.point.replace("{parameter}", ex.sweepSelect.value);
  }

  function trainingChart(ex, target, width, log) {
    const c = ex.panel.charts;
    const y = log ? { distr: 3, log: 10 } : { range: () => [0, ex.trainingTop] };
    const yAxis = axis(c.labels.training_axis + (log ? " (log scale)" : ""), 70);
    if (log) Object.assign(yAxis, { splits: (u, i, low, high) => decadeTicks(low, high, 6), filter: (u, splits) => splits });
    return new root.uPlot({
      width: width, height: 280, cursor: { show: false }, legend: { live: false },
      scales: { x: { time: false, range: () => [0, Math.max(1, ex.epochs)] }, y: y },
      axes: [axis(c.labels.epoch_axis, 48), yAxis],
      series: [{ label: c.labels.epoch_axis }, { label: c.labels.training_axis, stroke: c.colours.training, width: 2 }],
      hooks: { draw: [drawn(ex)] },
    }, null, target);
  }

  function buildCharts(ex) {
    const box = element("div", { class: "bp-explorer-charts" });
    const make = (name, caption) => {
      const figure = element("figure", { class: `bp-explorer-chart bp-explorer-chart-${name}` });
      const note = element("p", { class: "bp-explorer-note", role: "status", hidden: "" });
      const plot = element("div", { class: "bp-explorer-plot" });
      figure.append(plot, note, element("figcaption", {}, caption));
      box.append(figure);
      return { plot: plot, note: note };
    };
    ex.lossBox = make("loss", "The loss as the swept parameter varies, the current value, and the tangent whose slope is the backprop gradient.");
    ex.trainingBox = make("training", "The training loss over the epochs of gradient descent from the current settings.");
    return box;
  }

  function startCharts(ex) {
    const width = chartWidth(ex.lossBox.plot);
    ex.lossPlot = lossChart(ex, ex.lossBox.plot, width);
    ex.trainingPlots = { linear: trainingChart(ex, ex.trainingBox.plot, width, false), log: trainingChart(ex, ex.trainingBox.plot, width, true) };
    ex.trainingPlots.log.root.hidden = true;
    if (typeof root.ResizeObserver === "function") {
      const observer = new root.ResizeObserver(() => {
        const w = chartWidth(ex.lossBox.plot);
        if (w === ex.lossPlot.width) return;
        for (const u of [ex.lossPlot, ex.trainingPlots.linear, ex.trainingPlots.log]) u.setSize({ width: w, height: 280 });
      });
      observer.observe(ex.lossBox.plot);
    }
  }

  function chartWidth(node) {
    return Math.max(260, Math.floor(node.clientWidth || 0));
  }

  // ------------------------------------------------------------------------------------------
  // One redraw
  // ------------------------------------------------------------------------------------------

  function currentSettings(ex) {
    const values = { parameter: {}, input: {}, target: {}, rate: {}, epochs: {} };
    const texts = {};
    for (const s of ex.sliders) {
      values[s.control.role][s.control.name] = positionValue(s.pos, s.index);
      texts[s.control.name] = positionText(s.pos, s.index);
    }
    const m = ex.model;
    return {
      theta: m.parameters.map((n) => values.parameter[n]), x: m.inputs.map((n) => values.input[n]),
      y: m.outputs.map((n) => values.target[n]), rate: Object.values(values.rate)[0],
      epochs: Object.values(values.epochs)[0], texts: texts,
    };
  }

  function sliderOf(ex, name) {
    return ex.sliders.find((s) => s.control.role === "parameter" && s.control.name === name);
  }

  function renderLoss(ex, s, here) {
    const name = ex.sweepSelect.value;
    const index = ex.model.parameters.indexOf(name);
    const slider = sliderOf(ex, name);
    const low = positionValue(slider.pos, 0);
    const high = positionValue(slider.pos, slider.pos.count);
    ex.sweepRange = [low, high];
    const chart = lossChartData(ex.model, s.theta, s.x, s.y, index, ex.sweepValues(name, low, high), here, 0.15 * (high - low));
    let top = -Infinity;
    for (const v of chart.data[1]) if (v !== null && v > top) top = v;
    if (Number.isFinite(here.loss)) top = Math.max(top, here.loss);
    ex.lossTop = lossAxisTop(top, ex.lossTop);
    relabel(ex, name);
    ex.lossPlot.setData(chart.data);
    const notes = [];
    if (chart.dropped === chart.data[0].length) notes.push(`The loss is not a finite number anywhere on this range of ${name}.`);
    else if (chart.dropped > 0) notes.push(`The loss is not a finite number at ${chart.dropped} of ${chart.data[0].length} points (gaps in the curve).`);
    if (!chart.showTangent) notes.push(`The loss or its gradient is not a finite number at ${name} = ${s.texts[name]}: no tangent.`);
    note(ex.lossBox.note, notes.join(" "));
    return { name: name, index: index };
  }

  function relabel(ex, name) {
    if (ex.lossPlot.axes[0].label === name) return;
    ex.lossPlot.axes[0].label = name;
    const labels = ex.lossPlot.root.querySelectorAll(".u-legend .u-series .u-label");
    if (labels.length === 4) labels[3].textContent = pointLabel(ex);
  }

  function renderTraining(ex, s) {
    const run = trainingLosses(ex.model, s.theta, s.x, s.y, s.rate, s.epochs, ex.panel.divergence_limit);
    const clean = finiteOrNull(run.losses);
    const log = useLogAxis(clean.values);
    const shown = log ? ex.trainingPlots.log : ex.trainingPlots.linear;
    const hidden = log ? ex.trainingPlots.linear : ex.trainingPlots.log;
    let top = -Infinity;
    for (const v of clean.values) if (v !== null && v > top) top = v;
    ex.trainingTop = lossAxisTop(top, ex.trainingTop);
    ex.epochs = s.epochs;
    const epochs = clean.values.map((_, i) => i);
    shown.root.hidden = false;
    hidden.root.hidden = true;
    shown.setData([epochs, clean.values]);
    const last = run.losses[run.losses.length - 1];
    const notes = [];
    if (run.diverged) notes.push(`Training diverged at epoch ${run.losses.length - 1}: a loss or parameter passed ${formatNumber(ex.panel.divergence_limit)} or stopped being finite.`);
    if (clean.dropped === clean.values.length) notes.push("The training loss is not a finite number.");
    note(ex.trainingBox.note, notes.join(" "));
    return { run: run, last: last, log: log };
  }

  function note(node, text) {
    setText(node, text);
    node.hidden = text === "";
  }

  function renderReadouts(ex, s, here, sweep, training) {
    const r = ex.readouts;
    setText(r.setting, `${sweep.name} = ${s.texts[sweep.name]}`);
    setText(r.loss, `loss L = ${formatNumber(here.loss)}`);
    setText(r.gradient, `\u2202L/\u2202${sweep.name} = ${formatNumber(here.gradients[sweep.index])} (the slope of the tangent)`);
    const ended = training.run.diverged ? `diverged at epoch ${training.run.losses.length - 1}, last loss` : `after ${s.epochs} epochs, loss`;
    setText(r.training, `training: ${ended} ${formatNumber(training.last)}`);
    ex.model.neurons.forEach((_, i) => {
      const [z, a, delta] = r.neurons[i];
      setText(z, formatNumber(here.z[i]));
      setText(a, formatNumber(here.a[i]));
      setText(delta, formatNumber(here.delta[i]));
    });
  }

  function render(ex) {
    try {
      const s = currentSettings(ex);
      const here = ex.model.evaluate(s.theta, s.x, s.y);
      const sweep = renderLoss(ex, s, here);
      const training = renderTraining(ex, s);
      renderReadouts(ex, s, here, sweep, training);
      note(ex.error, "");
    } catch (error) {
      note(ex.error, `The explorer could not compute these settings: ${error.message}`);
    }
    ex.stats.renders += 1;
  }

  // ------------------------------------------------------------------------------------------
  // Mounting
  // ------------------------------------------------------------------------------------------

  /**
   * What every panel's mount does first: `ex.schedule` (a `redraw(ex)` at once when idle, else at
   * the next animation frame: at most one per frame however many inputs come), an empty
   * `container` named by the panel's title, and `ex.error`.
   */
  function prepareMount(container, ex, redraw) {
    ex.pending = false;
    ex.lastRedraw = -Infinity;
    const run = () => {
      ex.lastRedraw = root.performance.now();
      redraw(ex);
    };
    ex.schedule = () => {
      if (ex.pending) return;  // a redraw is already due at the next frame
      if (root.performance.now() - ex.lastRedraw >= FRAME_MS) return run();  // idle: no frame of delay
      ex.pending = true;
      root.requestAnimationFrame(() => {
        ex.pending = false;
        run();
      });
    };
    container.textContent = "";
    container.setAttribute("role", "region");
    container.setAttribute("aria-label", ex.panel.title);
    ex.error = element("p", { class: "bp-explorer-note", role: "alert", hidden: "" });
  }

  /** Build the explorer inside `container` and draw it once; returns its state (for tests). */
  function mount(container, panel, model) {
    checkModel(model);
    checkPanel(panel, model);
    const ex = {
      panel: panel, model: model, sliders: [], stats: { renders: 0, draws: 0, drawnAt: 0 },
      lossTop: 0, trainingTop: 0, epochs: 1, sweepRange: [0, 1], pending: false, sweepCache: {},
    };
    ex.sweepValues = (name, low, high) => {
      if (!ex.sweepCache[name]) ex.sweepCache[name] = grid(low, high, panel.sweep.points);
      return ex.sweepCache[name];
    };
    prepareMount(container, ex, render);
    container.append(buildControls(ex, panel), ex.error, buildReadouts(ex), buildCharts(ex));
    startCharts(ex);
    render(ex);
    container.backpropExplorer = ex;
    return ex;
  }

  /** Mount one queued entry: {container: id, panel: id of a JSON script, model: () => model}. */
  function mountEntry(entry) {
    const doc = root.document;
    const container = doc.getElementById(entry.container);
    try {
      if (typeof root.uPlot !== "function") throw new Error("uPlot is not loaded (the book serves it from _vendor/uplot/)");
      const panel = JSON.parse(doc.getElementById(entry.panel).textContent);
      if (panel.kind === "lesson") {
        if (!root.BackpropLesson) throw new Error("lesson.js is not loaded (the book serves it from _static/)");
        root.BackpropLesson.mount(container, panel, entry.model());
      } else {
        mount(container, panel, entry.model());
      }
    } catch (error) {
      container.textContent = "";
      container.append(element("p", { class: "bp-explorer-note", role: "alert" }, `This explorer could not start: ${error.message}`));
    }
  }

  /**
   * Pages push entries onto `window.backpropExplorers` before or after this file loads: entries
   * already queued are mounted now, later pushes mount at once.
   */
  function startQueue(scope) {
    if (!scope.document) return;
    const queued = Array.isArray(scope.backpropExplorers) ? scope.backpropExplorers : [];
    scope.backpropExplorers = { push: (...entries) => entries.forEach(mountEntry) };
    const run = () => queued.forEach(mountEntry);
    if (scope.document.readyState === "loading") scope.document.addEventListener("DOMContentLoaded", run);
    else run();
  }

  return {
    decimalUnits, positions, positionValue, positionText, formatNumber, formatTick, roundUp, lossAxisTop,
    useLogAxis, decadeTicks, finiteOrNull, grid, sweepLosses, trainingLosses, lossChartData, checkModel, checkPanel,
    mount, mountEntry, startQueue,
    element, setText, buildSlider, axis, prepareMount, // the page's parts lesson.js builds with too
  };
});
