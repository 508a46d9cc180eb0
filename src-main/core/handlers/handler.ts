/** What a feature's handler file exports: a map from each of its channels to the function that serves it. */
import type { ArgOfSpec, RequestSpecs, ResultOfSpec } from '../../../src-shared/bridge.js';

/** Check a feature's map with `satisfies Handlers<typeof <feature>Requests>`: every channel, typed, nothing else. */
export type Handlers<R extends RequestSpecs> = { [C in keyof R]: (arg: ArgOfSpec<R[C]>) => Promise<ResultOfSpec<R[C]>> };

/** An API path with every interpolated id URL-encoded: `apiPath\`/customers/${id}/clients\``. */
export function apiPath(strings: TemplateStringsArray, ...ids: string[]): string {
  return strings.reduce((path, part, i) => path + encodeURIComponent(ids[i - 1]!) + part);
}
