import { mount } from 'svelte';
import App from './App.svelte';
import { resolveBridge } from './lib/bridge.js';
import './styles/theme.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element.');

try {
  mount(App, { target, props: { bridge: resolveBridge() } });
} catch (err) {
  // Without a host there is nothing to talk to: say so in the page rather than leave it blank.
  const p = document.createElement('p');
  p.className = 'fatal';
  p.textContent = err instanceof Error ? err.message : String(err);
  target.replaceChildren(p);
}
