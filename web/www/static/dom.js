// dom.js: build elements without innerHTML; every text goes in as textContent.

// h("div.card#id", {hidden: true, onclick: f}, "text", child, [more]) -> an element.
// Attributes named on* become listeners; "class" and ".x" in the tag set classes;
// "dataset" takes an object. Strings and numbers become text nodes, never markup.
export function h(tag, attrs, ...kids) {
  let id = "";
  tag = tag.replace(/#([\w-]+)/, (_, x) => { id = x; return ""; });
  const [name, ...classes] = tag.split(".");
  const el = document.createElement(name || "div");
  if (id) el.id = id;
  if (classes.length) el.className = classes.join(" ");
  if (attrs && (typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs))) {
    kids.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) setAttr(el, k, v);
  append(el, kids);
  return el;
}

function setAttr(el, k, v) {
  if (v === undefined || v === null || v === false) return;
  if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
  else if (k === "class") el.className += (el.className ? " " : "") + v;
  else if (k === "dataset") Object.assign(el.dataset, v);
  else if (k === "value" || k === "checked" || k === "selected") el[k] = v;
  else el.setAttribute(k, v === true ? "" : String(v));
}

export function append(el, kids) {
  for (const k of kids.flat(Infinity)) {
    if (k === undefined || k === null || k === false) continue;
    el.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return el;
}

// Replace an element's children.
export function fill(el, ...kids) {
  el.replaceChildren();
  return append(el, kids);
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

// A <select> from [[value, label], ...].
export function select(attrs, options, current) {
  return h("select", attrs, options.map(([v, label]) =>
    h("option", { value: v, selected: String(v) === String(current) }, label)));
}

// An SVG element (charts are drawn by hand).
export function svg(tag, attrs, ...kids) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const k of kids.flat()) if (k !== null && k !== undefined)
    el.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return el;
}
