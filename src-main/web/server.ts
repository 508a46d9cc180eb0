/**
 * The browser host (DESIGN.md, "The console's two hosts"): the renderer build and the bridge over loopback
 * HTTP, for end-to-end tests in Chromium and for technicians on machines without Electron.
 *
 * Anything on the machine can reach a loopback port, and any web page the user visits can make the browser
 * send requests to it, so every request passes, in order:
 * 1. Host is `127.0.0.1:<port>` or `localhost:<port>` (else 403): a rebound DNS name cannot reach us.
 * 2. Origin, when sent, is our own origin, and requests that change anything must send it (else 403): pages
 *    elsewhere, including other ports of 127.0.0.1 (the same *site*, so SameSite does not stop them), cannot
 *    drive the bridge.
 * 3. The per-launch token, from `?token=` or from the HttpOnly cookie it was traded for (else 401).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BridgeError, type EventName, type Events } from '../../src-shared/bridge.js';
import { ERROR_STATUS } from '../../src-shared/api/common.js';
import { checkRequest, toBridgeError, type BridgeBackend } from '../core/backend.js';
import { readStaticFile } from './static-files.js';

/** The renderer reaches its host only through the bridge on its own origin (`connect-src 'self'`). */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Bridge arguments are small JSON objects; anything bigger is a mistake or an attack. */
const MAX_BODY_BYTES = 1024 * 1024;
/** Comment lines on idle event streams, so a dead connection is noticed and dropped. */
const HEARTBEAT_MS = 20_000;

export interface WebHostOptions {
  backend: BridgeBackend;
  /** The renderer build to serve (dist/renderer). */
  rendererDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
}

export interface WebHost {
  /** The URL to open: carries the token as `?token=`. */
  url: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  /** The cookie the token is traded for. */
  cookieName: string;
  /** Ends event streams and stops listening; the backend is the caller's to close. */
  close(): Promise<void>;
}

/** HTTP status per bridge error code. 401 is kept for the host's own token check: the backup server's
 * "not signed in" travels as 403, so the client can tell "this page lost its session" from it. */
const CONSOLE_STATUS: Readonly<Record<string, number>> = {
  UNAUTHENTICATED: 403,
  NOT_SIGNED_IN: 403,
  OFFLINE: 503,
  KEYCHAIN_UNAVAILABLE: 503,
  TIMEOUT: 504,
  CERTIFICATE_CHANGED: 502,
  UNTRUSTED_CERTIFICATE: 502,
};

export function statusOf(code: string): number {
  return CONSOLE_STATUS[code] ?? (ERROR_STATUS as Readonly<Record<string, number>>)[code] ?? 500;
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = randomBytes(32).toString('base64url');
  const streams = new Set<http.ServerResponse>();
  // Bound once listening: the Host and Origin checks need the real port.
  let port = 0;
  let cookieName = '';

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Only reachable through a bug in this file: the handlers answer their own failures.
      if (!res.headersSent) sendError(res, new BridgeError('INTERNAL', toBridgeError(err).message));
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const host = req.headers.host?.toLowerCase();
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      return sendError(res, new BridgeError('FORBIDDEN', 'This console only answers at 127.0.0.1 or localhost.'));
    }
    const origin = `http://${host}`;
    const url = new URL(req.url ?? '/', origin);
    const method = req.method ?? 'GET';
    const safeMethod = method === 'GET' || method === 'HEAD';
    const isBridge = url.pathname.startsWith('/bridge/');

    const sentOrigin = req.headers.origin;
    const site = req.headers['sec-fetch-site'];
    if ((sentOrigin !== undefined && sentOrigin !== origin) || (sentOrigin === undefined && !safeMethod) || (isBridge && site !== undefined && site !== 'same-origin' && site !== 'none')) {
      return sendError(res, new BridgeError('FORBIDDEN', 'Requests must come from the console page itself.'));
    }

    const offered = url.searchParams.get('token');
    if (offered !== null) {
      if (!sameSecret(offered, token)) return sendError(res, unauthenticated(), 401);
      if (safeMethod && !isBridge) {
        // Trade the token for a cookie and drop it from the address bar, history and later Referers.
        url.searchParams.delete('token');
        res.writeHead(303, {
          ...securityHeaders(),
          'Set-Cookie': `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`,
          // One leading slash: `//host/…` would send the browser to another host.
          Location: `/${url.pathname.replace(/^\/+/, '')}${url.search}`,
          'Cache-Control': 'no-store',
        });
        res.end();
        return;
      }
    } else if (!sameSecret(readCookie(req.headers.cookie, cookieName) ?? '', token)) {
      return sendError(res, unauthenticated(), 401);
    }

    if (url.pathname === '/bridge/events') {
      if (method !== 'GET') return sendError(res, new BridgeError('BAD_REQUEST', 'The event stream is read with GET.'), 405);
      return openEventStream(req, res);
    }
    if (isBridge) {
      if (method !== 'POST') return sendError(res, new BridgeError('BAD_REQUEST', 'Bridge requests are sent with POST.'), 405);
      return answerBridge(req, res, url.pathname.slice('/bridge/'.length));
    }
    if (!safeMethod) return sendError(res, new BridgeError('BAD_REQUEST', `${method} is not served here.`), 405);
    // The raw path, not the URL parser's: it would quietly resolve `..`, and a request that tries to
    // climb out of the build should be refused, not answered with some other file.
    return serveFile(res, (req.url ?? '/').split('?')[0]!, method === 'HEAD');
  }

  async function answerBridge(req: http.IncomingMessage, res: http.ServerResponse, rawChannel: string): Promise<void> {
    // Form posts (text/plain, urlencoded) are how a foreign page forges requests without CORS: only JSON passes.
    if (!/^application\/json(\s*;|$)/i.test(req.headers['content-type'] ?? '')) {
      return sendError(res, new BridgeError('BAD_REQUEST', 'Bridge requests must be JSON (Content-Type: application/json).'), 415);
    }
    let arg: unknown;
    try {
      arg = JSON.parse(await readBody(req));
    } catch (err) {
      if (err instanceof BridgeError) return sendError(res, err, 413);
      return sendError(res, new BridgeError('BAD_REQUEST', 'The request body is not valid JSON.'));
    }
    try {
      const request = checkRequest(safeDecode(rawChannel), arg);
      const result = await options.backend.invoke(request.channel, request.arg);
      sendJson(res, 200, result ?? null);
    } catch (err) {
      sendError(res, toBridgeError(err));
    }
  }

  function openEventStream(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, { ...securityHeaders(), 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store' });
    // Sends the headers now, so the browser's EventSource reports "open" before the first event.
    res.write(': connected\n\n');
    streams.add(res);
    req.on('close', () => streams.delete(res));
  }

  async function serveFile(res: http.ServerResponse, pathname: string, headOnly: boolean): Promise<void> {
    const file = await readStaticFile(options.rendererDir, pathname);
    if (file.status !== 200) {
      const message = file.status === 403 ? 'That path is not served.' : `Not found: ${pathname}`;
      return sendError(res, new BridgeError(file.status === 403 ? 'FORBIDDEN' : 'NOT_FOUND', message), file.status);
    }
    res.writeHead(200, {
      ...securityHeaders(),
      'Content-Type': file.contentType,
      'Content-Length': file.body.length,
      // Pages must be revalidated (a rebuilt renderer shows at once); Vite's hashed assets are immutable.
      'Cache-Control': pathname.startsWith('/assets/') ? 'private, max-age=31536000, immutable' : 'no-store',
    });
    res.end(headOnly ? undefined : file.body);
  }

  const unsubscribe = options.backend.subscribe(<E extends EventName>(event: E, payload: Events[E]) => {
    // JSON.stringify escapes newlines, so the payload is one `data:` line as SSE requires.
    const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const stream of streams) stream.write(frame);
  });
  const heartbeat = setInterval(() => {
    for (const stream of streams) stream.write(': ping\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  // Cookies are not kept apart by port: two consoles on 127.0.0.1 must not overwrite each other's.
  cookieName = `backup_console_${port}`;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    cookieName,
    close: async () => {
      unsubscribe();
      clearInterval(heartbeat);
      for (const stream of streams) stream.end();
      streams.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': WEB_CSP,
    'X-Content-Type-Options': 'nosniff',
    // Other origins (other ports of 127.0.0.1 included) may not embed our scripts or pages either.
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
  };
}

function unauthenticated(): BridgeError {
  return new BridgeError('UNAUTHENTICATED', 'Open the console with the link `npm run web` printed: it carries this launch’s token.');
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...securityHeaders(), 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

/** The same `{error:{code,message,details}}` body as the backup server's API: never a stack. */
function sendError(res: http.ServerResponse, error: BridgeError, status = statusOf(error.code)): void {
  sendJson(res, status, { error: error.toJSON() });
}

function sameSecret(offered: string, secret: string): boolean {
  const a = Buffer.from(offered);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // checkRequest then reports it as an unknown request
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped, so the client still gets its 413 answer.
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new BridgeError('BAD_REQUEST', `The request body is larger than ${MAX_BODY_BYTES} bytes.`));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}
