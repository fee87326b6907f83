// outbox.js: the browser's outbox (IndexedDB). Every event is stored here, with an id made on
// the device, before anything is sent; delivery retries until ikiweb answers for each one.
// Exactly once: a resend carries the same id, and "duplicate" means it was stored before.

import { sendEvents, ApiError, NetError } from "./api.js";

const DB = "iki";
const BATCH = 200;        // events per POST (the API takes up to 5,000 in 1 MiB)
const KEEP_MS = 14 * 864e5; // delivered records stay visible for two weeks
let dbp = null;

function open() {
  if (dbp) return dbp;
  dbp = new Promise((resolve, reject) => {
    const rq = indexedDB.open(DB, 1);
    rq.onupgradeneeded = () => {
      const db = rq.result;
      const s = db.createObjectStore("outbox", { keyPath: "id" });
      s.createIndex("user", "user");
      db.createObjectStore("kv");
    };
    rq.onsuccess = () => resolve(rq.result);
    rq.onerror = () => reject(rq.error);
  });
  return dbp;
}

function tx(store, mode, fn) {
  return open().then((db) => new Promise((resolve, reject) => {
    const t = db.transaction(store, mode);
    const out = fn(t.objectStore(store));
    t.oncomplete = () => resolve(out && "result" in out ? out.result : out);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  }));
}

// A cached value (the catalog, who is signed in) for pages loaded without a connection.
export const kvGet = (k) => tx("kv", "readonly", (s) => s.get(k));
export const kvSet = (k, v) => tx("kv", "readwrite", (s) => { s.put(v, k); });
export const kvDel = (k) => tx("kv", "readwrite", (s) => { s.delete(k); });

// A new event id, unique on this device and beyond: "w-" and a random UUID.
export function newId() {
  if (crypto.randomUUID) return "w-" + crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return "w-" + [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

// Put events (each with its id) into the outbox as "menunggu". Returns the records.
export async function capture(user, events) {
  const now = Date.now();
  const recs = events.map((ev, n) => ({ id: ev.id, user, event: ev, status: "menunggu", at: now, n, tries: 0 }));
  await tx("outbox", "readwrite", (s) => { for (const r of recs) s.put(r); });
  changed();
  return recs;
}

// Every record of a user, newest first (n: the order within one capture, so that a case's
// open goes before its close from the same spreadsheet).
export async function list(user) {
  const all = await tx("outbox", "readonly", (s) => s.index("user").getAll(user));
  return all.sort((a, b) => b.at - a.at || (b.n || 0) - (a.n || 0));
}

export async function pending(user) {
  return (await list(user)).filter((r) => r.status === "menunggu");
}

async function save(recs) {
  await tx("outbox", "readwrite", (s) => { for (const r of recs) s.put(r); });
}

// Forget delivered records older than KEEP_MS.
async function prune(user) {
  const old = (await list(user)).filter((r) => r.status !== "menunggu" && Date.now() - r.at > KEEP_MS);
  if (old.length) await tx("outbox", "readwrite", (s) => { for (const r of old) s.delete(r.id); });
}

const listeners = new Set();
export const onChange = (f) => listeners.add(f);
function changed(info) { for (const f of listeners) f(info); }

// Delivery: one loop at a time; on no answer, retry with backoff (2 s doubling to 60 s);
// "online", a page load and each capture start it at once.
let running = null;
let timer = 0;
let backoff = 2000;
let single = false; // after a refused batch: one event per request until the outbox is empty
let who = "";
export let state = { last: "", error: "" };

export function start(user) {
  who = user;
  window.addEventListener("online", () => kick());
  prune(user).catch(() => {});
  kick();
}

export function stop() { who = ""; clearTimeout(timer); }

export function kick() {
  clearTimeout(timer);
  if (!who) return Promise.resolve();
  if (!running) running = deliver(who).finally(() => { running = null; });
  return running;
}

async function deliver(user) {
  let sent = 0;
  for (;;) {
    const todo = (await pending(user)).reverse().slice(0, single ? 1 : BATCH);
    if (!todo.length) break;
    try {
      const res = await sendEvents(todo.map((r) => r.event));
      const done = await apply(todo, (res && res.results) || []);
      sent += done;
      backoff = 2000;
      state = { last: "ok", error: "" };
      if (!done) { schedule(); break; } // answered without these ids: try again later
    } catch (e) {
      if (!(await refused(todo, e))) { await retryLater(todo, e); break; }
    }
  }
  if (!(await pending(user)).length) single = false;
  changed({ sent });
}

// Each result decides its record: ok and duplicate are delivered, error is refused for good.
// Returns how many records were decided.
// Results come in the order of the events; one whose id was unusable comes back with id "".
async function apply(todo, results) {
  const byId = new Map(results.map((r) => [r.id, r]));
  const inOrder = results.length === todo.length;
  let done = 0;
  for (const [i, r] of todo.entries()) {
    const res = byId.get(r.id) || (inOrder && !results[i].id ? results[i] : undefined);
    r.tries++;
    if (!res) continue; // not answered: stays menunggu
    r.status = res.status === "error" ? "ditolak" : "terkirim";
    r.code = res.code || (res.status === "duplicate" ? "duplicate" : "");
    r.message = res.message || "";
    r.sentAt = Date.now();
    done++;
  }
  await save(todo);
  return done;
}

// A refusal of the whole request that no retry fixes (400, 413, a 403 other than the CSRF
// token's): sent again one event at a time, so that only the event at fault is ditolak.
// Returns whether it handled e.
async function refused(todo, e) {
  if (!(e instanceof ApiError) || ![400, 403, 413, 422].includes(e.status) || e.code === "csrf") return false;
  if (todo.length > 1) { single = true; return true; }
  const r = todo[0];
  Object.assign(r, { status: "ditolak", code: e.code, message: e.message, sentAt: Date.now() });
  r.tries++;
  await save(todo);
  return true;
}

// No answer, or a failure of the whole request: keep every record menunggu and try again with
// backoff; signed out (or a stale CSRF token): after the next sign-in.
async function retryLater(todo, e) {
  const net = e instanceof NetError;
  state = { last: net ? "offline" : "error", error: e.message, status: e.code === "csrf" ? 401 : e.status || 0 };
  if (state.status === 401) return;
  for (const r of todo) r.tries++;
  await save(todo);
  schedule();
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(kick, backoff);
  backoff = Math.min(backoff * 2, 60000);
}
