// The /v1 API as the dashboard uses it: the bearer token (kept in
// sessionStorage, for this tab only), JSON in and out, and every failure as
// an ApiError carrying the problem document (RFC 9457) the server sent.
import { lang } from './i18n.js';

const TOKEN_KEY = 'relais.token';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

// A session cookie's CSRF token (GET /v1/me gives it): sent with every
// write made without a bearer token (docs/accounts.md).
let csrf = '';
export function setCsrf(value) {
  csrf = value || '';
}

// Called on every 401, so the app can send the user back to the login form.
let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

// fetch with the token; resolves to the parsed JSON body (or the text for
// non-JSON answers). REQUIRES: path starts with "/v1/".
export async function call(method, path, body, { headers = {}, tokenOverride } = {}) {
  // The language of the switch, so refusals' reasons come in it (docs/api.md).
  const init = { method, headers: { Accept: 'application/json', 'Accept-Language': lang(), ...headers } };
  const bearer = tokenOverride ?? token();
  if (bearer) init.headers.Authorization = `Bearer ${bearer}`;
  else if (csrf && method !== 'GET') init.headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const type = response.headers.get('Content-Type') || '';
  const parsed = type.includes('json') ? await response.json().catch(() => null) : await response.text();
  if (!response.ok) {
    const error = new ApiError(response.status, typeof parsed === 'object' ? parsed : { detail: parsed });
    if (response.status === 401 && tokenOverride === undefined) onUnauthorized(error);
    throw error;
  }
  return parsed;
}

export const get = (path, options) => call('GET', path, undefined, options);
export const post = (path, body, options) => call('POST', path, body ?? {}, options);
export const patch = (path, body, options) => call('PATCH', path, body ?? {}, options);
export const del = (path, options) => call('DELETE', path, undefined, options);

// Every page of GET /v1/projects (paged by offset, `total` counts what the
// caller may see), at most maxPages pages.
export async function getAllProjects(query = '', { pageSize = 100, maxPages = 50 } = {}) {
  const all = [];
  for (let page = 0, offset = 0; page < maxPages; page += 1) {
    const sep = query ? '&' : '';
    const body = await get(`/v1/projects?${query}${sep}limit=${pageSize}&offset=${offset}`);
    all.push(...(body.projects ?? []));
    offset += (body.projects ?? []).length;
    if (offset >= (body.total ?? 0) || (body.projects ?? []).length === 0) break;
  }
  return all;
}

// Partner names by id (GET /v1/partners, every page, at most maxPages).
export async function partnerNames({ pageSize = 100, maxPages = 20 } = {}) {
  const names = new Map();
  let after = '';
  for (let page = 0; page < maxPages; page += 1) {
    const body = await get(`/v1/partners?limit=${pageSize}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    for (const p of body.partners ?? []) names.set(p.id, p.name || p.id);
    if (!body.next_after) break;
    after = body.next_after;
  }
  return names;
}

export const enc = encodeURIComponent;
