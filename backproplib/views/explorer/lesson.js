/*
 * The chapters' lesson panels: controls, uPlot charts and text readouts, computed in the reader's
 * browser from generated models (backproplib.engine.javascript), drawn as a *lesson description*
 * says (backproplib/views/lesson_explorer.py writes it). Nothing here knows a chapter's mathematics:
 * every number is a quantity of a model's pass or of its training run.
 *
 * The lesson description (JSON):
 *
 *   {
 *     "kind": "lesson", "title": string, "divergence_limit": number,
 *     "models": [{"key": string, "label": string, "values": {name: number}}, ...],
 *     "model_choice": {"label": string, "value": key} | null,  // a dropdown over the models
 *     "base": {"parameters": {..}, "inputs": {..}, "targets": {..}, "rate": number, "epochs": int,
 *              "batch": int},                    // batch: with a dataset only (N: the full batch)
 *     "dataset": {"X": [[..], ..], "Y": [[..], ..], "held_out": {"X", "Y"} | null, "seed": int},
 *                                 // optional: what "dataset" charts and "mean_loss" readouts train on
 *     "groups": [{"legend": string, "controls": [Control, ...]}],   // as explorer.js's Control;
 *                                 // a control overrides the base value of the same role and name
 *     "charts": [Chart, ...], "readouts": [Readout, ...]
 *   }
 *   Chart = {"kind": "sweep" | "training" | "dataset", "caption", "x_label", "y_label", "log_y": bool,
 *            "symmetric": bool,                     // y range symmetric about 0, zero line drawn
 *            "control": name, "points": int,         // sweep: the control swept over its range
 *            "x": quantity | null,                   // sweep: plot against this quantity instead
 *            "series": [{"quantity", "label", "colour", "dash": [..], "width", "model": key|null,
 *                        "sign": 1 | -1}],           // model null: the one the dropdown chose
 *            "mark": bool,                           // sweep: the current point of every series
 *            "tangent": {"quantity", "slope", "label", "colour"} | null,
 *            "guides": [{"label", "colour", "dash", "control": name} | {.., "model_value": name}],
 *            "batches": ["control" | "full", ..],    // dataset: each series' batch size (the
 *            "batch_labels": [string, ..]}           // slider's or N); "{batch}" in a series label
 *                                                    // is batch_labels[size - 1]
 *   Readout = {"label": string, "quantity": quantity, "model": key|null,
 *              "at": "current" | "final", "sign": 1 | -1, "digits": int (default 4)}
 *           | {"label", "quantity": "mean_loss", "at": "final", "batch": "control" | "full",
 *              "on": "held_out" | "training", "digits": int}   // "{batch}" in the label: the size
 *   quantity = "loss" | "gradient:<parameter>" | "value:<parameter>" | "<z|a|delta|slope>:<neuron>"
 *
 * Trade-offs: one redraw per animation frame; a training run is made once per (model, sign) and
 * redraw; a sweep evaluates the pass once per point (201 points cost well under a millisecond).
 * A dataset run (trainSet) is kept from one redraw to the next while its rate, epochs and batch
 * size stay: moving the batch slider does not retrain the full-batch reference.
 * uPlot fixes a scale's distribution when made, so a chart with a log y axis is made log.
 */
(function (root, factory) {
  "use strict";
  const api = factory(root);
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.BackpropLesson = api;
})(typeof self !== "undefined" ? self : this, function (root) {
  "use strict";

  const KINDS = { z: "z", a: "a", delta: "delta", slope: "slope", gradient: "gradients", value: "values" };

  function base() {
    return root.BackpropExplorer || (typeof require === "function" ? require("./explorer.js") : null);
  }

  // ------------------------------------------------------------------------------------------
  // Pure parts: no DOM, unit-tested under node
  // ------------------------------------------------------------------------------------------

  /** A quantity name as {key, index} into a pass ("loss" has index -1); throws naming the choices. */
  function parseQuantity(text, model) {
    if (text === "loss") return { key: "loss", index: -1 };
    const [kind, name] = String(text).split(":");
    const key = KINDS[kind];
    const names = kind === "gradient" || kind === "value" ? model.parameters : model.neurons;
    const index = key && name !== undefined ? names.indexOf(name) : -1;
    if (index < 0) {
      throw new RangeError(`quantity must be "loss", "gradient:<parameter>", "value:<parameter>" or "<z|a|delta|slope>:<neuron>" naming one of ${JSON.stringify(names || [])}; got ${JSON.stringify(text)}`);
    }
    return { key: key, index: index };
  }

  /** The quantity of one pass (model.evaluate's result, theta given for "value:"). */
  function passValue(result, theta, ref) {
    if (ref.key === "loss") return result.loss;
    if (ref.key === "values") return theta[ref.index];
    return result[ref.key][ref.index];
  }

  /** The quantity along a training run (model.trace's result): a Float64Array, one per epoch. */
  function runValues(run, ref) {
    return ref.key === "loss" ? Float64Array.from(run.losses) : run[ref.key][ref.index];
  }

  /** The sweep grid of a control with its current value merged in: sorted, no repeats. */
  function sweepGrid(low, high, points, current) {
    const values = base().grid(low, high, points);
    if (!values.includes(current)) values.push(current);
    return values.sort((p, q) => p - q);
  }

  /** Where each role's value sits in a setting: [array, index], or null when it is not there. */
  function slot(setting, model, role, name) {
    if (role === "parameter") return [setting.theta, model.parameters.indexOf(name)];
    if (role === "input") return [setting.x, model.inputs.indexOf(name)];
    if (role === "target") return [setting.y, model.outputs.indexOf(name)];
    return null;
  }

  /** θ, x, y of `model` from the base values with the controls' values on top. */
  function settingFor(model, panel, values) {
    const b = panel.base;
    const pick = (names, bag, role) => names.map((n) => (values[role] && n in values[role] ? values[role][n] : bag[n]));
    const setting = {
      theta: pick(model.parameters, b.parameters, "parameter"), x: pick(model.inputs, b.inputs, "input"),
      y: pick(model.outputs, b.targets, "target"),
      rate: values.rate !== undefined ? values.rate : b.rate, epochs: values.epochs !== undefined ? values.epochs : b.epochs,
    };
    if (values.batch !== undefined || b.batch !== undefined) setting.batch = values.batch !== undefined ? values.batch : b.batch;
    return setting;
  }

  /** The batch size a dataset series or readout trains at: the setting's ("control") or N ("full"). */
  function batchSize(panel, setting, which) {
    const n = panel.dataset.X.length;
    if (which !== "control" && which !== "full") throw new RangeError(`batch must be "control" or "full"; got ${JSON.stringify(which)}`);
    return which === "full" ? n : Math.min(setting.batch, n);
  }

  /** model.trainSet on the panel's training set at `setting` and batch size `size` (N: the full batch). */
  function datasetRun(model, panel, setting, size) {
    const d = panel.dataset;
    return model.trainSet(setting.theta, d.X, d.Y, setting.rate, setting.epochs, size >= d.X.length ? 0 : size, d.seed);
  }

  /** The mean loss over the "held_out" or "training" set at a dataset run's final θ. */
  function finalMeanLoss(model, panel, run, on) {
    const set = on === "training" ? panel.dataset : panel.dataset.held_out;
    if (!set) throw new RangeError(`the panel's dataset has no ${on} set`);
    return model.meanLoss(run.theta, set.X, set.Y);
  }

  /** A dataset series' label: "{batch}" as chart.batch_labels says for `size`; " (diverged)" if it did. */
  function runLabel(chart, template, size, run) {
    const named = template.split("{batch}").join(chart.batch_labels[size - 1]);
    return run.divergedAt !== null ? `${named} (diverged)` : named;
  }

  /** y range of finite values: [0-based or symmetric] padded; [−1, 1] or [0, 1] when empty. */
  function valueRange(columns, symmetric) {
    let low = Infinity;
    let high = -Infinity;
    for (const column of columns) {
      for (const v of column) {
        if (v === null || !Number.isFinite(v)) continue;
        if (v < low) low = v;
        if (v > high) high = v;
      }
    }
    if (!(low <= high)) return symmetric ? [-1, 1] : [0, 1];
    if (symmetric) {
      const reach = base().roundUp(1.1 * Math.max(Math.abs(low), Math.abs(high)));
      return [-reach, reach];
    }
    const span = high - low || Math.max(Math.abs(high), 1);
    return [low - 0.08 * span, high + 0.08 * span];
  }

  /** A log axis's range for positive values: the decades around them. */
  function logRange(columns) {
    let low = Infinity;
    let high = -Infinity;
    for (const column of columns) {
      for (const v of column) {
        if (v === null || !(v > 0) || !Number.isFinite(v)) continue;
        if (v < low) low = v;
        if (v > high) high = v;
      }
    }
    if (!(low <= high)) return [0.1, 10];
    return [10 ** Math.floor(Math.log10(low)), 10 ** Math.ceil(Math.log10(high) + (high === low ? 1 : 0))];
  }

  /** A value on the chart: finite numbers as they are, the rest (and ≤ 0 on a log axis) as gaps. */
  function plotted(values, log) {
    return Array.from(values, (v) => (Number.isFinite(v) && (!log || v > 0) ? v : null));
  }

  /** The lesson description checked against its models; returns {key: model}. */
  function checkLesson(panel, models) {
    const E = base();
    if (panel.kind !== "lesson") throw new TypeError(`a lesson description has kind "lesson"; got ${JSON.stringify(panel.kind)}`);
    const byKey = {};
    for (const m of panel.models || []) {
      if (!models || !models[m.key]) throw new RangeError(`the models lack ${JSON.stringify(m.key)}, which the description lists`);
      E.checkModel(models[m.key]);
      byKey[m.key] = models[m.key];
    }
    if (!Object.keys(byKey).length) throw new RangeError("the description must list at least one model");
    const first = byKey[panel.models[0].key];
    for (const chart of panel.charts || []) {
      if (!["sweep", "training", "dataset"].includes(chart.kind)) throw new RangeError(`chart kind must be "sweep", "training" or "dataset"; got ${JSON.stringify(chart.kind)}`);
      if (chart.kind === "dataset" && !panel.dataset) throw new RangeError("a dataset chart needs the description's dataset");
      for (const s of chart.series) {
        if (s.model !== null && !byKey[s.model]) throw new RangeError(`series ${JSON.stringify(s.label)}: model ${JSON.stringify(s.model)} is not listed`);
        parseQuantity(s.quantity, byKey[s.model] || first);
      }
    }
    for (const r of panel.readouts || []) {
      if (r.quantity !== "mean_loss") parseQuantity(r.quantity, byKey[r.model] || first);
      else if (!panel.dataset || (r.on === "held_out" && !panel.dataset.held_out)) throw new RangeError(`readout ${JSON.stringify(r.label)} needs the description's dataset and its ${r.on} set`);
    }
    for (const group of panel.groups || []) for (const c of group.controls) E.positions(c);
    return byKey;
  }

  // ------------------------------------------------------------------------------------------
  // The page
  // ------------------------------------------------------------------------------------------

  const element = (...args) => base().element(...args);
  const setText = (...args) => base().setText(...args);
  let counter = 0;

  function buildChoice(ex, panel) {
    const id = `bp-lesson-choice-${(counter += 1)}`;
    const row = element("div", { class: "bp-explorer-control" });
    const select = element("select", { id: id });
    for (const m of panel.models) select.append(element("option", { value: m.key }, m.label));
    select.value = panel.model_choice.value;
    select.addEventListener("input", () => ex.schedule());
    row.append(element("label", { for: id }, panel.model_choice.label), select);
    ex.choice = select;
    return row;
  }

  function buildControls(ex, panel) {
    const form = element("form", { class: "bp-explorer-controls" });
    form.addEventListener("submit", (event) => event.preventDefault());
    if (panel.model_choice) {
      const set = element("fieldset");
      set.append(element("legend", {}, panel.model_choice.legend || "model"), buildChoice(ex, panel));
      form.append(set);
    }
    for (const group of panel.groups) {
      const set = element("fieldset");
      set.append(element("legend", {}, group.legend));
      for (const control of group.controls) set.append(base().buildSlider(ex, control));
      form.append(set);
    }
    return form;
  }

  function buildReadouts(ex, panel) {
    const region = element("div", { class: "bp-explorer-readouts", "aria-live": "polite" });
    ex.readoutLines = panel.readouts.map((r, i) => {
      const line = element("p", { "data-readout": String(i) });
      region.append(line);
      return line;
    });
    ex.runNote = element("p", { "data-readout": "training" });
    region.append(ex.runNote);
    return region;
  }

  /** uPlot series of a chart: its lines, then the current points (sweep), tangent and guides. */
  function chartSeries(chart) {
    const series = [{ label: chart.x_label }];
    for (const s of chart.series) series.push({ label: s.label, stroke: s.colour, width: s.width || 2, dash: s.dash || undefined, points: { show: false } });
    if (chart.kind === "sweep" && chart.mark) {
      for (const s of chart.series) series.push({ label: `${s.label} now`, stroke: s.colour, width: 0, paths: () => null, points: { show: true, size: 10, width: 1, stroke: "#000", fill: s.colour } });
    }
    if (chart.tangent) series.push({ label: chart.tangent.label, stroke: chart.tangent.colour, width: 4, dash: [12, 6], spanGaps: true, points: { show: false } });
    for (const g of chart.guides || []) series.push({ label: g.label, stroke: g.colour, width: 1.5, dash: g.dash || [4, 4], spanGaps: true, points: { show: false } });
    if (chart.symmetric) series.push({ label: "0", stroke: "#999", width: 1, spanGaps: true, points: { show: false } });
    return series;
  }

  /** The current points and the zero line need no legend entry: the lines they belong to have one. */
  function hideHelpers(plot, chart) {
    const rows = plot.root.querySelectorAll(".u-legend .u-series");
    const marks = chart.kind === "sweep" && chart.mark ? chart.series.length : 0;
    const first = chart.series.length; // the legend lists the y series only
    for (let i = first; i < first + marks; i += 1) if (rows[i]) rows[i].style.display = "none";
    if (chart.symmetric && rows[rows.length - 1]) rows[rows.length - 1].style.display = "none";
  }

  function makeChart(ex, chart, box, width) {
    const state = { range: [0, 1], x: [0, 1] };
    const y = chart.log_y ? { distr: 3, log: 10, range: () => state.range } : { range: () => state.range };
    const yAxis = base().axis(chart.y_label, 72);
    if (chart.log_y) Object.assign(yAxis, { splits: (u, i, low, high) => base().decadeTicks(low, high, 6), filter: (u, splits) => splits });
    const plot = new root.uPlot({
      width: width, height: 260, cursor: { show: false }, legend: { live: false },
      scales: { x: { time: false, range: () => state.x }, y: y },
      axes: [base().axis(chart.x_label, 48), yAxis], series: chartSeries(chart),
      hooks: { draw: [() => { ex.stats.draws += 1; ex.stats.drawnAt = root.performance.now(); }] },
    }, null, box);
    hideHelpers(plot, chart);
    return { plot: plot, state: state, chart: chart, data: null };
  }

  function buildCharts(ex, panel) {
    const box = element("div", { class: "bp-explorer-charts" });
    ex.chartBoxes = panel.charts.map((chart, i) => {
      const figure = element("figure", { class: "bp-explorer-chart", "data-chart": String(i) });
      const plot = element("div", { class: "bp-explorer-plot" });
      const note = element("p", { class: "bp-explorer-note", role: "status", hidden: "" });
      figure.append(plot, note, element("figcaption", {}, chart.caption));
      box.append(figure);
      return { plot: plot, note: note };
    });
    return box;
  }

  // ------------------------------------------------------------------------------------------
  // One redraw
  // ------------------------------------------------------------------------------------------

  function controlValues(ex) {
    const E = base();
    const values = { parameter: {}, input: {}, target: {} };
    const texts = {};
    for (const s of ex.sliders) {
      const v = E.positionValue(s.pos, s.index);
      if (s.control.role in values) values[s.control.role][s.control.name] = v;
      else values[s.control.role] = v;
      texts[s.control.name] = E.positionText(s.pos, s.index);
    }
    return { values: values, texts: texts };
  }

  function chosenKey(ex, key) {
    return key === null || key === undefined ? (ex.choice ? ex.choice.value : ex.panel.models[0].key) : key;
  }

  /** The training run of (model, sign) at the current values, made once per redraw. */
  function runOf(ex, key, sign, values) {
    const id = `${key}|${sign}`;
    if (!ex.runs[id]) {
      const model = ex.models[key];
      const s = settingFor(model, ex.panel, values);
      ex.runs[id] = model.trace(s.theta, s.x, s.y, s.rate, s.epochs, sign || 1);
    }
    return ex.runs[id];
  }

  /** The dataset run at `which` batch ("control" or "full"): made, or kept from the last redraw. */
  function datasetRunOf(ex, which, values) {
    const key = chosenKey(ex, null);
    const setting = settingFor(ex.models[key], ex.panel, values);
    const size = batchSize(ex.panel, setting, which);
    const id = `${key}|${setting.rate}|${setting.epochs}|${size}`;
    if (!ex.datasetRuns.has(id)) {
      const kept = ex.lastDatasetRuns.get(id);
      ex.datasetRuns.set(id, kept || datasetRun(ex.models[key], ex.panel, setting, size));
    }
    const run = ex.datasetRuns.get(id);
    ex.runs[`data|${size}`] = run;
    return { run: run, size: size, model: ex.models[key] };
  }

  function renderDataset(ex, view, values) {
    const chart = view.chart;
    const runs = chart.batches.map((which) => datasetRunOf(ex, which, values));
    const columns = runs.map(({ run }) => run.losses);
    const epochs = settingFor(ex.models[chosenKey(ex, null)], ex.panel, values).epochs;
    const xs = Array.from({ length: epochs + 1 }, (_, i) => i);
    const data = [xs, ...columns.map((c) => { const p = plotted(c, chart.log_y); while (p.length < xs.length) p.push(null); return p; })];
    const labels = view.plot.root.querySelectorAll(".u-legend .u-series .u-label");
    chart.series.forEach((s, i) => {
      const text = runLabel(chart, s.label, runs[i].size, runs[i].run);
      view.plot.series[i + 1].label = text;
      if (labels[i]) setText(labels[i], text);
    });
    view.state.x = [0, Math.max(1, epochs)];
    view.state.range = chart.log_y ? logRange(columns) : valueRange(columns, false);
    return data;
  }

  function renderSweep(ex, view, values) {
    const E = base();
    const chart = view.chart;
    const slider = ex.sliders.find((s) => s.control.name === chart.control);
    const low = E.positionValue(slider.pos, 0);
    const high = E.positionValue(slider.pos, slider.pos.count);
    const current = E.positionValue(slider.pos, slider.index);
    const grid = sweepGrid(low, high, chart.points, current);
    const keys = chart.series.map((s) => chosenKey(ex, s.model));
    const models = keys.map((k) => ex.models[k]);
    const perModel = models.map((m) => settingFor(m, ex.panel, values));
    const columns = chart.series.map(() => new Array(grid.length));
    const xs = new Array(grid.length);
    const role = slider.control.role;
    const marks = chart.series.map(() => new Array(grid.length).fill(null));
    const here = [];
    chart.series.forEach((s, k) => {
      const ref = parseQuantity(s.quantity, models[k]);
      const xRef = chart.x ? parseQuantity(chart.x, models[k]) : null;
      const moved = { theta: perModel[k].theta.slice(), x: perModel[k].x.slice(), y: perModel[k].y.slice() };
      const [array, index] = slot(moved, models[k], role, chart.control);
      grid.forEach((v, i) => {
        array[index] = v;
        const result = models[k].evaluate(moved.theta, moved.x, moved.y);
        columns[k][i] = passValue(result, moved.theta, ref);
        if (k === 0) xs[i] = xRef ? passValue(result, moved.theta, xRef) : v;
        if (v === current) {
          here.push(result);
          if (chart.mark) marks[k][i] = columns[k][i];
        }
      });
    });
    const data = [xs, ...columns.map((c) => plotted(c, chart.log_y))];
    if (chart.mark) data.push(...marks);
    const at = grid.indexOf(current);
    if (chart.tangent) data.push(tangentColumn(ex, chart, models[0], here[0], perModel[0], xs, at));
    for (const g of chart.guides || []) data.push(xs.map(() => guideValue(ex, g, keys[0], values)));
    if (chart.symmetric) data.push(xs.map(() => 0));
    view.state.x = [Math.min(xs[0], xs[xs.length - 1]), Math.max(xs[0], xs[xs.length - 1])];
    view.state.range = chart.log_y ? logRange(columns) : valueRange(columns, chart.symmetric);
    return data;
  }

  /** The tangent of chart.tangent.quantity at the current point: its slope quantity times the run. */
  function tangentColumn(ex, chart, model, result, setting, xs, at) {
    const y0 = passValue(result, setting.theta, parseQuantity(chart.tangent.quantity, model));
    const slope = passValue(result, setting.theta, parseQuantity(chart.tangent.slope, model));
    const x0 = xs[at];
    const half = 0.15 * Math.abs(xs[xs.length - 1] - xs[0]);
    return xs.map((x) => (Math.abs(x - x0) <= half && Number.isFinite(y0 + slope) ? y0 + slope * (x - x0) : null));
  }

  function guideValue(ex, guide, key, values) {
    if (guide.control !== undefined) {
      for (const role of ["target", "input", "parameter"]) if (values[role] && guide.control in values[role]) return values[role][guide.control];
      return ex.panel.base.targets[guide.control];
    }
    const model = ex.panel.models.find((m) => m.key === key);
    const v = model.values[guide.model_value];
    return Number.isFinite(v) ? v : null;
  }

  function renderTraining(ex, view, values) {
    const chart = view.chart;
    const columns = [];
    let longest = 0;
    chart.series.forEach((s) => {
      const key = chosenKey(ex, s.model);
      const run = runOf(ex, key, s.sign, values);
      columns.push(runValues(run, parseQuantity(s.quantity, ex.models[key])));
      longest = Math.max(longest, run.losses.length);
    });
    const epochs = Array.from({ length: longest }, (_, i) => i);
    const data = [epochs, ...columns.map((c) => { const p = plotted(c, chart.log_y); while (p.length < longest) p.push(null); return p; })];
    const key = chosenKey(ex, null);
    for (const g of chart.guides || []) data.push(epochs.map(() => guideValue(ex, g, key, values)));
    if (chart.symmetric) data.push(epochs.map(() => 0));
    const guides = data.slice(1 + columns.length, data.length - (chart.symmetric ? 1 : 0));
    view.state.x = [0, Math.max(1, settingFor(ex.models[key], ex.panel, values).epochs)];
    view.state.range = chart.log_y ? logRange(columns) : valueRange(columns.concat(guides), chart.symmetric);
    return data;
  }

  function renderReadouts(ex, values) {
    const E = base();
    ex.panel.readouts.forEach((r, i) => {
      const key = chosenKey(ex, r.model);
      const model = ex.models[key];
      const ref = r.quantity === "mean_loss" ? null : parseQuantity(r.quantity, model);
      let v;
      let label = r.label;
      if (r.quantity === "mean_loss") {
        const { run, size } = datasetRunOf(ex, r.batch, values);
        v = finalMeanLoss(model, ex.panel, run, r.on);
        label = label.split("{batch}").join(String(size));
      } else if (r.at === "final") {
        const column = runValues(runOf(ex, key, r.sign, values), ref);
        v = column[column.length - 1];
      } else {
        const s = settingFor(model, ex.panel, values);
        v = passValue(model.evaluate(s.theta, s.x, s.y), s.theta, ref);
      }
      setText(ex.readoutLines[i], `${label} = ${E.formatNumber(v, r.digits)}`);
    });
    const stopped = Object.entries(ex.runs).filter(([, run]) => run.divergedAt !== null);
    setText(ex.runNote, stopped.length ? `Training diverged (a loss or parameter passed ${E.formatNumber(ex.panel.divergence_limit)}) at epoch ${stopped.map(([, run]) => run.divergedAt).join(", ")}; the lines stop there.` : "");
  }

  function render(ex) {
    try {
      const { values } = controlValues(ex);
      ex.runs = {};
      ex.lastDatasetRuns = ex.datasetRuns;  // only the last redraw's runs are kept: no unbounded cache
      ex.datasetRuns = new Map();
      ex.views.forEach((view) => {
        const draw = { sweep: renderSweep, training: renderTraining, dataset: renderDataset }[view.chart.kind];
        view.data = draw(ex, view, values);
        view.plot.setData(view.data);
      });
      renderReadouts(ex, values);
      ex.error.hidden = true;
    } catch (error) {
      ex.error.textContent = `The panel could not compute these settings: ${error.message}`;
      ex.error.hidden = false;
    }
    ex.stats.renders += 1;
  }

  /** Build the lesson panel inside `container` and draw it once; returns its state (for tests). */
  function mount(container, panel, models) {
    const ex = { panel: panel, models: checkLesson(panel, models), sliders: [], stats: { renders: 0, draws: 0, drawnAt: 0 }, runs: {},
      datasetRuns: new Map(), lastDatasetRuns: new Map() };
    base().prepareMount(container, ex, render);
    container.append(buildControls(ex, panel), ex.error, buildReadouts(ex, panel), buildCharts(ex, panel));
    const width = Math.max(260, Math.floor(ex.chartBoxes[0] ? ex.chartBoxes[0].plot.clientWidth : 0));
    ex.views = panel.charts.map((chart, i) => makeChart(ex, chart, ex.chartBoxes[i].plot, width));
    render(ex);
    container.backpropExplorer = ex;
    return ex;
  }

  return {
    parseQuantity, passValue, runValues, sweepGrid, settingFor, batchSize, datasetRun, finalMeanLoss, runLabel,
    valueRange, logRange, plotted, checkLesson, mount,
  };
});
