// A file from the API saved by the browser: fetched with the caller's
// credentials (the bearer token, or the session cookie), then handed to the
// browser as a download under the name the server gives
// (Content-Disposition). A plain link would not carry the bearer token.
import * as api from './api.js';
import { lang } from './i18n.js';

// The name in a Content-Disposition's filename="...", else fallback.
export function fileNameOf(disposition, fallback) {
  const m = /filename="([^"]+)"/.exec(disposition || '');
  return m ? m[1] : fallback;
}

// Resolves once the download is handed over; rejects with an api.ApiError.
export async function download(path, fallbackName) {
  const headers = { 'Accept-Language': lang() };
  const bearer = api.token();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  const response = await fetch(path, { headers, credentials: 'same-origin' });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new api.ApiError(response.status, problem);
  }
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileNameOf(response.headers.get('Content-Disposition'), fallbackName);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return a.download;
}
