/**
 * Raw HTTP for the browser host's tests: node:http lets a test send the headers a browser would (and the
 * ones an attacker would: a foreign Host, Origin or Sec-Fetch-Site) that fetch() may not let it set.
 */
import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export function rawRequest(port: number, request: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: request.method ?? 'GET', path: request.path, headers: request.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(request.body);
  });
}

/** An open `text/event-stream` response whose events the test can wait for. */
export interface EventStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Resolves with the next `event:`/`data:` frame (comments skipped). */
  next(): Promise<{ event: string; data: unknown }>;
  close(): void;
}

export function openEventStream(port: number, headers: Record<string, string>): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/bridge/events', headers }, (res) => {
      res.setEncoding('utf8');
      let buffer = '';
      const frames: { event: string; data: unknown }[] = [];
      const waiting: ((frame: { event: string; data: unknown }) => void)[] = [];
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const lines = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
          const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
          if (event === undefined || data === undefined) continue; // a comment (": ping")
          const frame = { event, data: JSON.parse(data) as unknown };
          const waiter = waiting.shift();
          if (waiter) waiter(frame);
          else frames.push(frame);
        }
      });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        next: () => {
          const frame = frames.shift();
          return frame ? Promise.resolve(frame) : new Promise((r) => waiting.push(r));
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Signs in to a browser host the way a browser does: trades the URL's token for the session cookie. */
export async function signInToWebHost(url: string): Promise<{ port: number; headers: Record<string, string> }> {
  const { port, origin, pathname, search } = new URL(url);
  const response = await rawRequest(Number(port), { path: pathname + search, headers: { Host: `127.0.0.1:${port}` } });
  if (response.status !== 303 || response.headers.location !== '/') throw new Error(`sign-in answered ${response.status} ${response.headers.location ?? ''}`);
  const cookie = response.headers['set-cookie']?.[0]?.split(';')[0];
  if (!cookie) throw new Error('no cookie set');
  return { port: Number(port), headers: { Host: `127.0.0.1:${port}`, Origin: origin, Cookie: cookie } };
}

/** One bridge request to a signed-in browser host. */
export async function bridgeCall<T>(port: number, headers: Record<string, string>, channel: string, arg: unknown): Promise<{ status: number; body: T }> {
  const response = await rawRequest(port, { method: 'POST', path: `/bridge/${channel}`, headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(arg) });
  return { status: response.status, body: JSON.parse(response.body) as T };
}
