import type { FastifyInstance } from 'fastify';
import { badRequest } from './errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Keys that would reach an object's prototype if a body were ever merged with `Object.assign` or a plain
 * loop: `__proto__` anywhere, and `prototype` under `constructor`. No schema declares them.
 */
function forbiddenKey(value: unknown, at: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const path = Array.isArray(value) ? `${at}[${key}]` : at ? `${at}.${key}` : key;
    if (key === '__proto__') return path;
    if (key === 'constructor' && typeof child === 'object' && child !== null && Object.hasOwn(child, 'prototype')) return `${path}.prototype`;
    const inner = forbiddenKey(child, path);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/** Only text that names one of the keys, directly or through a `\u` escape, needs the walk. */
const MAY_HOLD_FORBIDDEN_KEY = /proto|\\u/;

/**
 * The bodies the API takes (API.md, Conventions: JSON in and out; blob routes add their own parser).
 * `application/json`: bytes that are not UTF-8 are a 400, never text with U+FFFD stored; text that is not
 * JSON is a 400 about the body; a `__proto__` (or `constructor.prototype`) key is a 400 naming it, like
 * every field no schema declares. Any other media type, `text/plain` included, is a 415.
 */
export function acceptJsonBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body: Buffer, done) => {
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      done(badRequest('body', 'The request body is not valid UTF-8.'), undefined);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      done(badRequest('body', 'The request body is not valid JSON.'), undefined);
      return;
    }
    const forbidden = MAY_HOLD_FORBIDDEN_KEY.test(text) ? forbiddenKey(value, '') : undefined;
    if (forbidden !== undefined) done(badRequest(forbidden, `unknown field "${forbidden.split('.').at(-1)!}"`), undefined);
    else done(null, value);
  });
}
