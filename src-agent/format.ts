/** Text the agent prints and reports: sizes, durations, and error lists that fit a report field. */
import { AgentApiError } from './server-client.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}

export function formatDuration(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/**
 * "N entries could not be <verb>:" and one line per error, cut to `maxLength` characters (report fields
 * are bounded; the count still tells how many there were).
 */
export function errorList(verb: string, errors: readonly string[], maxLength = 9_000): string {
  let text = `${errors.length} ${errors.length === 1 ? 'entry' : 'entries'} could not be ${verb}:`;
  for (const [i, error] of errors.entries()) {
    const line = `\n${error}`;
    if (text.length + line.length > maxLength) return `${text}\n... and ${errors.length - i} more`;
    text += line;
  }
  return text;
}

/** "CODE: message" for API errors, the message for anything else: the one line a report or a log gets. */
export function reason(error: unknown): string {
  if (error instanceof AgentApiError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
