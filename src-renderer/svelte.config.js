// Svelte options shared by Vite, Vitest and svelte-check: runes everywhere.
export default {
  compilerOptions: { runes: true },
};
