import { expect } from 'vitest';
import type { ErrorBody } from '../../src-shared/api/common.js';
import type { ApiResponse } from './api-client.js';

/** The body of a response with the expected status; the failure message shows what came instead. */
export function ok<T>(res: ApiResponse<T>, status = 200): T {
  expect(res.status, `${status} expected, got ${res.status}: ${JSON.stringify(res.body)}`).toBe(status);
  return res.body;
}

/** Asserts an API error: status, code, a real sentence, and optionally what it says. */
export function expectError(res: ApiResponse, status: number, code: string, message?: RegExp): ErrorBody['error'] {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  const { error } = res.body as ErrorBody;
  expect(error.code).toBe(code);
  expect(error.message.length).toBeGreaterThan(5);
  if (message) expect(error.message).toMatch(message);
  return error;
}
