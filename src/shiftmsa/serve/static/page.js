"use strict";
// The page of `shiftmsa serve`: no framework, nothing fetched but this service's own endpoints.
// A sentence goes to POST /explain as JSON (POST /predict when the service serves a bundle); a
// clip goes to POST /explain as multipart (POST /clip for a bundle). GET /health gives the card.

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const COLOURS = { text: [37, 99, 235], acoustic: [234, 88, 12], visual: [22, 163, 74] };
const GATES = { text: "MSG-T (text)", acoustic: "MSG-A (acoustic)", visual: "MSG-V (visual)" };
const METRICS = ["acc2_non0", "f1_non0", "acc2_has0", "f1_has0", "acc7", "mae", "corr"];
let service = null;
let clipFile = null;

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function show(id, visible) { $(id).hidden = !visible; }

function describeCard(card) {
  const fields = $("card-fields");
  fields.replaceChildren();
  const trained = card.trained_on || {};
  const rows = [
    ["model", card.preset ? `${card.model}:${card.preset}` : card.model],
    ["served", card.quantize ? `${card.served} (${card.quantize})` : card.served],
    ["modalities", (card.modalities || []).join(", ")],
    ["encoder", card.encoder],
    ["trained on", [...new Set([trained.corpus, trained.path].filter(Boolean))].join(", ")],
    ["max length", trained.max_length],
    ["seed, epoch", [card.seed, card.epoch].filter((v) => v !== null && v !== undefined).join(", ")],
    ["path", card.path],
  ];
  for (const [name, value] of rows) {
    if (value === null || value === undefined || value === "") continue;
    fields.append(element("dt", name), element("dd", value));
  }
  const metrics = $("metrics");
  metrics.replaceChildren();
  show("metrics-note", !card.test);
  if (!card.test) {
    $("metrics-note").textContent = `No store record: ${card.no_record}`;
    return;
  }
  for (const name of METRICS.filter((m) => m in card.test)) {
    const row = element("tr");
    row.append(element("th", name), element("td", Number(card.test[name]).toFixed(4)));
    metrics.append(row);
  }
  metrics.dataset.record = card.record;
}

async function loadService() {
  const response = await fetch("/health");
  service = await response.json();
  describeCard(service.model);
}

function setClip(file) {
  clipFile = file || null;
  $("clip-name").textContent = clipFile ? `Clip: ${clipFile.name}` : "No clip: the text is scored alone.";
  show("clear-clip", Boolean(clipFile));
  if (!clipFile) $("clip").value = "";
}

function request() {
  const text = $("text").value.trim();
  if (clipFile) {
    const form = new FormData();
    form.append("clip", clipFile, clipFile.name);
    form.append("transcript", text);
    form.append("allow_fallback", $("fallback").checked ? "true" : "false");
    return [service.explains ? "/explain" : "/clip", { method: "POST", body: form }];
  }
  const utterance = { id: "typed", text };
  const json = { method: "POST", headers: { "Content-Type": "application/json" } };
  return service.explains ? ["/explain", { ...json, body: JSON.stringify(utterance) }]
    : ["/predict", { ...json, body: JSON.stringify([utterance]) }];
}

async function score() {
  show("error", false);
  $("status").textContent = clipFile ? "Extracting the clip's features and scoring…" : "Scoring…";
  $("score-button").disabled = true;
  try {
    const [url, options] = request();
    const response = await fetch(url, options);
    const body = await response.json();
    if (!response.ok) {
      const retry = response.headers.get("Retry-After");
      throw new Error(`${response.status}: ${body.error}` + (body.field ? ` (field ${body.field})` : "")
        + (retry ? ` — retry in ${retry} s` : ""));
    }
    render(Array.isArray(body) ? body[0] : body);
    $("status").textContent = `Scored by ${url}.`;
  } catch (error) {
    $("status").textContent = "";
    $("error").textContent = error.message;
    show("error", true);
  } finally {
    $("score-button").disabled = false;
  }
}

function drawScale(value) {
  const width = 600, height = 54, left = 20, right = width - 20;
  const x = (v) => left + ((v + 3) / 6) * (right - left);
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `score ${value.toFixed(2)} on the -3 to +3 scale`);
  const add = (tag, attributes, text) => {
    const node = document.createElementNS(SVG, tag);
    for (const [key, val] of Object.entries(attributes)) node.setAttribute(key, val);
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  const gradient = add("linearGradient", { id: "sentiment" });
  for (const [offset, colour] of [["0", "#b91c1c"], ["0.5", "#e5e7eb"], ["1", "#15803d"]]) {
    const stop = document.createElementNS(SVG, "stop");
    stop.setAttribute("offset", offset);
    stop.setAttribute("stop-color", colour);
    gradient.append(stop);
  }
  add("rect", { x: left, y: 14, width: right - left, height: 12, fill: "url(#sentiment)", rx: 3 });
  for (let tick = -3; tick <= 3; tick += 1) {
    add("line", { x1: x(tick), x2: x(tick), y1: 26, y2: 32, stroke: "#6b7280" });
    add("text", { x: x(tick), y: 46, "text-anchor": "middle", "font-size": 12, fill: "#374151" },
      tick > 0 ? `+${tick}` : String(tick));
  }
  const clamped = Math.max(-3, Math.min(3, value));
  add("path", { d: `M ${x(clamped) - 7} 2 L ${x(clamped) + 7} 2 L ${x(clamped)} 14 Z`, fill: "#111827",
    id: "score-marker", "data-score": value });
  $("scale").replaceChildren(svg);
}

// Per gate: words and eta*||h_s|| per word, from /explain's shifts figure or /clip's text_shift.
function shiftsOf(result) {
  const figure = (result.figures || {}).shifts;
  if (figure) {
    return { words: figure.words, gates: figure.modalities.map((m) => [m, figure.arrays[`shift/${m}`]]) };
  }
  const words = result.words || [];
  if (words.length && words.every((w) => typeof w.text_shift === "number")) {
    return { words: words.map((w) => w.word), gates: [["text", words.map((w) => w.text_shift)]] };
  }
  return null;
}

function drawShifts(result) {
  const table = $("shifts");
  table.replaceChildren();
  const shifts = shiftsOf(result);
  show("shift-note", !shifts);
  if (!shifts) {
    $("shift-note").textContent = "This model gives no per-word shifts"
      + ((result.unavailable || []).length ? " (see below)." : ".");
    const words = (result.words || []).map((w) => w.word);
    const row = element("tr");
    row.append(element("th", "words"));
    for (const word of words.length ? words : $("text").value.trim().split(/\s+/)) {
      const cell = element("td");
      cell.append(element("span", word, "word"));
      row.append(cell);
    }
    table.append(row);
    return;
  }
  const largest = Math.max(1e-12, ...shifts.gates.flatMap(([, values]) => values));
  for (const [modality, values] of shifts.gates) {
    const row = element("tr");
    row.append(element("th", GATES[modality] || modality));
    const [r, g, b] = COLOURS[modality] || [80, 80, 80];
    values.forEach((value, index) => {
      const cell = element("td");
      const chip = element("span", shifts.words[index], "word");
      const alpha = value / largest;
      chip.style.background = `rgba(${r}, ${g}, ${b}, ${alpha.toFixed(3)})`;
      chip.style.color = alpha > 0.55 ? "#fff" : "";
      chip.title = `${GATES[modality] || modality}: eta*||h_s|| = ${value.toPrecision(3)}`;
      chip.dataset.modality = modality;
      chip.dataset.shift = String(value);
      cell.append(chip);
      row.append(cell);
    });
    table.append(row);
  }
}

function drawAlignment(words) {
  const table = $("alignment");
  table.replaceChildren();
  show("alignment-block", Boolean(words && words.length && "start" in words[0]));
  if (!words || !words.length || !("start" in words[0])) return;
  const head = element("tr");
  for (const name of ["word", "start (s)", "end (s)", "placed by", "notes"]) head.append(element("th", name));
  table.append(head);
  for (const word of words) {
    const row = element("tr", null, word.placed_by === "fallback" ? "fallback" : "");
    const notes = [];
    if (word.spoken_as) notes.push(`spoken as ${word.spoken_as.join(" ")}`);
    for (const missing of word.out_of_dictionary || []) notes.push(`${missing.token}: ${missing.handling}`);
    row.append(element("td", word.word), element("td", word.start.toFixed(2), "number"),
      element("td", word.end.toFixed(2), "number"), element("td", word.placed_by), element("td", notes.join("; ")));
    table.append(row);
  }
}

// A T x T matrix as a canvas heatmap, tokens on both axes (rows: queries / text, columns: keys),
// from white (its smallest value) to the full colour (its largest).
function heatmap(matrix, tokens, caption, colour) {
  const size = tokens.length;
  const cell = Math.max(6, Math.min(22, Math.floor(380 / size)));
  const margin = 70;
  const canvas = element("canvas");
  canvas.width = margin + size * cell;
  canvas.height = margin + size * cell;
  const context = canvas.getContext("2d");
  const values = matrix.flat();
  const lowest = Math.min(...values), largest = Math.max(...values);
  const span = Math.max(1e-12, largest - lowest);
  const [r, g, b] = colour;
  context.fillStyle = "#fff";
  context.fillRect(0, 0, canvas.width, canvas.height);
  matrix.forEach((row, i) => row.forEach((value, j) => {
    context.fillStyle = `rgba(${r}, ${g}, ${b}, ${((value - lowest) / span).toFixed(3)})`;
    context.fillRect(margin + j * cell, margin + i * cell, cell, cell);
  }));
  context.fillStyle = "#374151";
  context.font = `${Math.min(11, cell)}px system-ui, sans-serif`;
  context.textBaseline = "middle";
  tokens.forEach((token, i) => {
    context.textAlign = "right";
    context.fillText(token, margin - 4, margin + i * cell + cell / 2, margin - 6);
    context.save();
    context.translate(margin + i * cell + cell / 2, margin - 4);
    context.rotate(-Math.PI / 2);
    context.textAlign = "left";
    context.fillText(token, 0, 0, margin - 6);
    context.restore();
  });
  canvas.dataset.size = String(size);
  const figure = element("figure");
  figure.append(canvas, element("figcaption",
    `${caption}: white ${lowest.toPrecision(3)} to darkest ${largest.toPrecision(3)}`));
  return figure;
}

function drawPAtt(result) {
  const figure = (result.figures || {}).p_att;
  show("p-att-block", Boolean(figure));
  if (!figure) return;
  $("p-att").replaceChildren(...figure.modalities.map((m) => heatmap(figure.arrays[`p_att/${m}`], figure.tokens,
    `p_att text-${m}`, COLOURS[m])));
}

function drawAttention(result) {
  const figure = (result.figures || {}).attention;
  show("attention-block", Boolean(figure));
  if (!figure) return;
  const select = $("layer");
  select.replaceChildren(...figure.layers.map((layer) => element("option", layer)));
  select.value = String(figure.layers[figure.layers.length - 1]);
  const draw = () => $("attention").replaceChildren(heatmap(figure.arrays[`layer${select.value}/mean`],
    figure.tokens, `layer ${select.value}`, [55, 65, 81]));
  select.onchange = draw;
  draw();
}

function render(result) {
  show("result", true);
  $("score").textContent = (result.score > 0 ? "+" : "") + result.score.toFixed(3);
  $("score").dataset.score = String(result.score);
  drawScale(result.score);
  drawShifts(result);
  drawAlignment(result.words);
  drawPAtt(result);
  drawAttention(result);
  $("unavailable").replaceChildren(...(result.unavailable || []).map((line) => element("li", line)));
}

function wire() {
  const drop = $("drop");
  drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    if (event.dataTransfer.files.length) setClip(event.dataTransfer.files[0]);
  });
  $("clip").addEventListener("change", () => setClip($("clip").files[0]));
  $("clear-clip").addEventListener("click", () => setClip(null));
  $("score-button").addEventListener("click", score);
  loadService().catch((error) => {
    $("error").textContent = `The service did not answer /health: ${error.message}`;
    show("error", true);
  });
}

wire();
