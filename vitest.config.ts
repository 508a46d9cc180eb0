import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const svelteConfig = fileURLToPath(new URL('./src-renderer/svelte.config.js', import.meta.url));

/**
 * The fresh-clone test (integration/first-run) spends minutes in one `npm ci`: it starts first, so the rest
 * of the suite runs beside it on the other worker instead of waiting for it at the end.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const first = (spec: TestSpecification) => spec.moduleId.endsWith('first-run.test.ts');
    return [...sorted.filter(first), ...sorted.filter((spec) => !first(spec))];
  }
}

// Three projects: the node tests (integration tests start real server processes; give them room on a
// 2-core CI machine), the renderer's component tests, which compile Svelte and run in jsdom with the
// browser build of svelte, and the end-to-end tests in Debian's Chromium against the browser host.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
          exclude: ['test/unit/renderer/**', '**/node_modules/**'],
          environment: 'node',
        },
      },
      {
        extends: true,
        plugins: [svelte({ configFile: svelteConfig }), svelteTesting()],
        resolve: { conditions: ['browser'] },
        test: {
          name: 'renderer',
          include: ['test/unit/renderer/**/*.test.ts'],
          environment: 'jsdom',
        },
      },
      {
        // The console in Debian's Chromium against the browser host (builds the renderer first).
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
