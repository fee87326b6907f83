// api.js: ikiweb's HTTP API (proto/WEBAPI.md) for the pages: JSON, the CSRF header, errors.

let csrf = "";
export const setCsrf = (t) => { csrf = t || ""; };

// An answer that is not 2xx: status, the stable code and the Indonesian sentence.
export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

// No answer at all (offline, the server down): the caller keeps the work for later.
export class NetError extends Error {}

const FALLBACK = {
  401: "Sesi Anda berakhir; silakan masuk lagi.",
  403: "Anda tidak berwenang melakukan ini.",
  413: "Data terlalu besar; kirim dalam beberapa bagian.",
  429: "Terlalu banyak percobaan; coba lagi nanti.",
};

async function request(method, path, body) {
  const opt = { method, headers: {}, credentials: "same-origin", cache: "no-store" };
  if (body !== undefined) {
    opt.headers["Content-Type"] = "application/json";
    opt.body = JSON.stringify(body);
  }
  if (method !== "GET" && csrf) opt.headers["X-CSRF-Token"] = csrf;
  let r;
  try {
    r = await fetch(path, opt);
  } catch (e) {
    throw new NetError("Tidak ada sambungan ke server.");
  }
  if (r.status === 204) return null;
  let data = null;
  try { data = await r.json(); } catch (e) { data = null; }
  if (r.ok) return data;
  const err = (data && data.error) || {};
  throw new ApiError(r.status, err.code || "http_" + r.status,
    err.message || FALLBACK[r.status] || `Server menjawab ${r.status}; coba lagi nanti.`,
    Number(r.headers.get("Retry-After")) || 0);
}

const qs = (o) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null && v !== "") p.set(k, v);
  const s = p.toString();
  return s ? "?" + s : "";
};

export const get = (path, params = {}) => request("GET", path + qs(params));
export const post = (path, body) => request("POST", path, body);
export const url = (path, params = {}) => path + qs(params);

export const login = (user, password) => post("/api/login", { user, password });
export const logout = () => post("/api/logout", {});
export const me = () => get("/api/me");
export const describe = () => get("/api/describe");
export const values = (p) => get("/api/values", p);
export const series = (p) => get("/api/series", p);
export const mine = (limit = 50) => get("/api/events/mine", { limit });
export const sendEvents = (events) => post("/api/events", { events });
