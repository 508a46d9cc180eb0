/**
 * The renderer is served from `app://console/…`, not `file://` (Electron security checklist, item 18):
 * a file:// page may read any file the user can, while app:// answers only with the renderer build.
 */
import { protocol } from 'electron';
import { readStaticFile } from '../web/static-files.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'console';
export const RENDERER_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * The renderer talks to the main process only through the preload's bridge, so it may fetch nothing at
 * all (`connect-src 'none'`); everything it loads is its own build.
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Whether `url` is a page of ours: `app://console/…` exactly (no port, no user info, no look-alike host). */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

/**
 * Must run before `app` is ready. `standard` gives app:// real origins and relative URL resolution,
 * `secure` makes it a secure context like https, `supportFetchAPI` lets module scripts load from it.
 * No `bypassCSP`: our CSP applies.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
}

/** Serves `rendererDir` (dist/renderer) on app://console/. Call once `app` is ready. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => rendererResponse(rendererDir, request));
}

/** The answer to one app:// request; every answer, errors included, carries the CSP. */
export async function rendererResponse(rendererDir: string, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const reply = (status: number, body: Uint8Array | string | null, contentType = 'text/plain; charset=utf-8') =>
    new Response(body, {
      status,
      headers: { 'Content-Security-Policy': APP_CSP, 'X-Content-Type-Options': 'nosniff', 'Content-Type': contentType },
    });
  if (url.host !== APP_HOST) return reply(404, 'Not found.');
  if (request.method !== 'GET' && request.method !== 'HEAD') return reply(405, 'Only GET is served.');
  const file = await readStaticFile(rendererDir, url.pathname);
  if (file.status !== 200) return reply(file.status, file.status === 403 ? 'That path is not served.' : 'Not found.');
  return reply(200, request.method === 'HEAD' ? null : file.body, file.contentType);
}
