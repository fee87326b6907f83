// app.js: the app's start: sign in (or the cached session when offline), the views (desk,
// dashboard, report) by the address's #fragment, the network state, the service worker.

import { fill, $, $$ } from "./dom.js";
import * as api from "./api.js";
import * as outbox from "./outbox.js";
import { Catalog } from "./catalog.js";
import { Desk } from "./desk.js";
import { Upload } from "./upload.js";
import { Dash } from "./dash.js";
import { Report } from "./report.js";

const app = { cat: null, desk: null, dash: null, report: null, offline: false };

async function boot() {
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
  $("#login-form").addEventListener("submit", onLogin);
  $("#logout").addEventListener("click", onLogout);
  for (const b of $$(".tabs button")) b.addEventListener("click", () => tab(b.dataset.tab));
  window.addEventListener("hashchange", route);
  window.addEventListener("online", net);
  window.addEventListener("offline", net);
  outbox.onChange(net);
  net();
  outbox.onChange(() => {
    // the session ended while events wait: sign in again (they stay in the outbox)
    if (outbox.state.status === 401 && app.cat) showLogin("Sesi Anda berakhir. Masuk lagi untuk mengirim kiriman yang menunggu.");
  });
  try {
    const me = await api.me();
    await enter(me, null);
  } catch (e) {
    if (e instanceof api.NetError) await enterOffline();
    else showLogin();
  }
}

function showLogin(msg) {
  document.body.dataset.view = "login";
  show("v-login");
  $("#nav").hidden = true;
  $("#logout").hidden = true;
  fill($("#login-error"), msg || "");
  $("#login-user").focus();
}

async function onLogin(ev) {
  ev.preventDefault();
  const f = ev.target, btn = $("button[type=submit]", f);
  fill($("#login-error"));
  btn.disabled = true;
  try {
    await api.login(f.elements.user.value.trim(), f.elements.password.value);
    f.elements.password.value = "";
    if (app.cat) { location.reload(); return; } // signed in again: start afresh, outbox kept
    await enter(await api.me(), null);
  } catch (e) {
    fill($("#login-error"), e instanceof api.NetError ? "Tidak ada sambungan ke server; coba lagi." : e.message);
  } finally {
    btn.disabled = false;
  }
}

async function onLogout() {
  try { await api.logout(); } catch (e) { /* the session ends on the server anyway */ }
  outbox.stop();
  await outbox.kvDel("me").catch(() => {});
  if (app.dash) app.dash.close();
  location.hash = "";
  location.reload();
}

// Signed in: the catalog (from ikiweb, or the cached copy), then the views.
async function enter(me, desc) {
  api.setCsrf(me.csrf);
  if (!desc) {
    try {
      desc = await api.describe();
      await outbox.kvSet("describe", desc);
    } catch (e) {
      desc = await outbox.kvGet("describe");
      if (!desc) throw e;
    }
  }
  await outbox.kvSet("me", me);
  app.cat = new Catalog(desc, me);
  app.me = me;
  fill($("#who"), me.name || me.user);
  $("#logout").hidden = false;
  const nav = $("#nav");
  nav.hidden = false;
  $("#nav-meja").hidden = !canSend();
  if (canSend()) {
    app.desk = new Desk(app.cat, me.user);
    app.desk.render({ outbox: $("#outbox"), forms: $("#t-isi"), list: $("#t-kiriman"), showForms: () => tab("isi") });
    new Upload($("#t-unggah"), app.cat, me.user).render();
    outbox.start(me.user);
    if (!app.offline) app.desk.reload();
  }
  net();
  route();
}

// No connection at all: the last signed-in user and catalog from IndexedDB, the desk only.
async function enterOffline() {
  const me = await outbox.kvGet("me").catch(() => null);
  const desc = await outbox.kvGet("describe").catch(() => null);
  if (!me || !desc) { showLogin("Tidak ada sambungan ke server. Masuk sekali saat daring agar meja bisa dipakai tanpa sambungan."); return; }
  app.offline = true;
  await enter(me, desc);
}

const canSend = () => app.me && (app.me.elements || []).length > 0;

function route() {
  if (!app.cat) return;
  let v = location.hash.replace("#", "") || (canSend() ? "meja" : "dasbor");
  if (v === "meja" && !canSend()) v = "dasbor";
  document.body.dataset.view = v;
  for (const a of $$("#nav a")) a.classList.toggle("on", a.getAttribute("href") === "#" + v);
  if (v !== "dasbor" && app.dash) { app.dash.close(); app.dash = null; }
  if (v === "meja") show("v-meja");
  else if (v === "laporan") {
    show("v-laporan");
    if (!app.report) { app.report = new Report($("#v-laporan"), app.cat); app.report.render(); }
  }
  else {
    show("v-dasbor");
    if (!app.dash) { app.dash = new Dash($("#v-dasbor"), app.cat); app.dash.render(); }
  }
}

function show(id) { for (const s of $$("main > section")) s.hidden = s.id !== id; }

function tab(name) {
  for (const b of $$(".tabs button")) b.setAttribute("aria-selected", String(b.dataset.tab === name));
  for (const t of ["isi", "unggah", "kiriman"]) $("#t-" + t).hidden = t !== name;
  if (name === "kiriman" && app.desk) app.desk.reload();
}

function net() {
  const el = $("#net");
  const on = navigator.onLine && outbox.state.last !== "offline";
  el.className = "net " + (on ? "on" : "off");
  fill(el, on ? "Daring" : "Luring");
}

boot();
