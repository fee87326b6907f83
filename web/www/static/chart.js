// chart.js: an indicator's twelve months as an inline SVG line, drawn by hand: the realisasi
// per month (a gap where there is no data), the target dashed, points coloured by predikat.

import { svg } from "./dom.js";
import * as fmt from "./fmt.js";

const W = 320, H = 120, L = 30, R = 8, T = 8, B = 20;

// months: 12 values (or null) as /api/series gives them for one indicator.
export function monthChart(months, label) {
  const vals = months.map((v) => (v && v.value !== null && v.value !== undefined ? v.value : null));
  const targets = months.map((v) => (v && v.target !== null && v.target !== undefined ? v.target : null));
  const top = niceTop(Math.max(100, ...vals.filter((x) => x !== null), ...targets.filter((x) => x !== null)));
  const x = (i) => L + (i * (W - L - R)) / 11;
  const y = (v) => T + (H - T - B) * (1 - v / top);
  const kids = [svg("title", {}, summary(label, vals))];
  for (const g of [0, top / 2, top]) {
    kids.push(svg("line", { class: "grid", x1: L, x2: W - R, y1: y(g), y2: y(g) }));
    kids.push(svg("text", { class: "axis", x: L - 4, y: y(g) + 3, "text-anchor": "end" }, fmt.num(g, 0)));
  }
  fmt.MON.forEach((m, i) => {
    if (i % 2 === 0) kids.push(svg("text", { class: "axis", x: x(i), y: H - 6, "text-anchor": "middle" }, m));
  });
  const tline = path(targets, x, y);
  if (tline) kids.push(svg("path", { class: "target", d: tline }));
  const vline = path(vals, x, y);
  if (vline) kids.push(svg("path", { class: "line", d: vline }));
  vals.forEach((v, i) => {
    if (v === null) return;
    kids.push(svg("circle", { class: "pt " + fmt.band(months[i] && months[i].predikat), cx: x(i), cy: y(v), r: 3.5 },
      svg("title", {}, `${fmt.MONTHS[i]}: ${fmt.pct(v)}`)));
  });
  if (!vals.some((v) => v !== null))
    kids.push(svg("text", { class: "nodata", x: (L + W - R) / 2, y: H / 2, "text-anchor": "middle" }, "tidak ada data"));
  return svg("svg", { class: "chart", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": summary(label, vals) }, kids);
}

// A path through the points, broken where a month has no value.
function path(vals, x, y) {
  let d = "", pen = false;
  vals.forEach((v, i) => {
    if (v === null) { pen = false; return; }
    d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  return d;
}

function niceTop(m) {
  for (const s of [100, 120, 150, 200, 300, 500, 1000]) if (m <= s) return s;
  return Math.ceil(m / 1000) * 1000;
}

function summary(label, vals) {
  const have = vals.map((v, i) => [v, i]).filter(([v]) => v !== null);
  if (!have.length) return `${label}: tidak ada data bulanan`;
  const [v, i] = have[have.length - 1];
  return `${label}: ${have.length} bulan berdata, terakhir ${fmt.MONTHS[i]} ${fmt.pct(v)}`;
}
