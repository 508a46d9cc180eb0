/**
 * Reads a file of the renderer build for a URL path, refusing anything that could leave the build folder.
 * Plain Node: both hosts use it, the browser host for HTTP and the Electron shell for its app:// protocol,
 * so the two can never disagree on what a path means.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export type StaticResult =
  | { status: 200; body: Buffer; contentType: string }
  | { status: 403 | 404; body: null; contentType: null };

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

const FORBIDDEN = { status: 403, body: null, contentType: null } as const;
const NOT_FOUND = { status: 404, body: null, contentType: null } as const;

/**
 * Maps a raw, still percent-encoded URL path (`/assets/app.js`) to a file under `root`. `/` and folders
 * serve their `index.html`. Refused (403): `.` or `..` segments (raw or encoded), encoded slashes or
 * backslashes, NUL, undecodable escapes, dotfiles, and symlinks that resolve outside `root`.
 */
export async function readStaticFile(root: string, rawPath: string): Promise<StaticResult> {
  if (!rawPath.startsWith('/')) return FORBIDDEN;
  const segments: string[] = [];
  for (const raw of rawPath.split('/').slice(1)) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return FORBIDDEN;
    }
    // A trailing slash leaves an empty last segment; empty segments elsewhere (`//`) are ignored alike.
    if (segment === '') continue;
    if (segment.startsWith('.') || /[/\\\0]/.test(segment)) return FORBIDDEN;
    segments.push(segment);
  }

  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return NOT_FOUND; // no renderer build yet
  }
  let file = path.join(realRoot, ...segments);
  try {
    if ((await stat(file)).isDirectory()) file = path.join(file, 'index.html');
    // Resolve symlinks last: a link inside the build must not point outside it.
    const real = await realpath(file);
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return FORBIDDEN;
    const body = await readFile(real);
    return { status: 200, body, contentType: CONTENT_TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream' };
  } catch {
    return NOT_FOUND;
  }
}
