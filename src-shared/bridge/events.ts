/** What the main process pushes to the UI, and the menu actions it hands over. */
import type { ServerView } from './servers.js';

export const MENU_ACTIONS = ['add-server', 'remove-server', 'refresh', 'make-available-offline', 'clear-offline-cache', 'open-api-docs', 'about'] as const;
export type MenuAction = (typeof MENU_ACTIONS)[number];

export interface Events {
  /** A server's connection state changed (or its info arrived). */
  'server.state': ServerView;
  /** The server list changed (added, removed, reordered, renamed). */
  'servers.changed': ServerView[];
  /** Progress of long work started from the console (make available offline). */
  'job.progress': { jobId: string; label: string; done: number; total: number; status: 'running' | 'done' | 'failed'; error: string | null };
  /** A menu item the UI handles (File → Add Server…, Server → Refresh, …). */
  'menu.action': { action: MenuAction };
}
export type EventName = keyof Events;
