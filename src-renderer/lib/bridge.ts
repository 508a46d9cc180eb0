import type { Bridge } from '../../src-shared/bridge.js';
import { connectBridge } from '../../src-shared/web-bridge-client.js';

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge); absent in the browser host. */
    backupConsole?: Bridge;
  }
}

/**
 * The one place that decides which host the renderer runs in: Electron's preload bridge
 * (`window.backupConsole`, its rejections revived as BridgeError) or, in a browser, the HTTP bridge
 * of `npm run web` (fetch + EventSource).
 */
export function resolveBridge(): Bridge {
  return connectBridge();
}
