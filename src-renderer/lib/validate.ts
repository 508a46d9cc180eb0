/** Checks a person's input the way the server will (src-shared/api schemas), in sentences. */

const CONTROL = /[\u0000-\u001f\u007f]/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function nameError(value: string, what = 'a name'): string | null {
  if (value.trim() === '') return `Enter ${what}.`;
  if (value.length > 200) return `Use at most 200 characters (now ${value.length}).`;
  if (CONTROL.test(value)) return 'Remove the control characters (tabs, line breaks).';
  return null;
}

export function emailError(value: string): string | null {
  const v = value.trim();
  if (v === '') return null;
  if (v.length > 254) return 'Use at most 254 characters.';
  if (!EMAIL.test(v)) return 'Enter an email address like name@example.com, or leave it empty.';
  return null;
}

/** An optional whole number in [min, max]; empty → null. */
export function parseWhole(value: string, min: number, max: number): { value: number | null; error: string | null } {
  const v = value.trim().replace(/[,_\s]/g, '');
  if (v === '') return { value: null, error: null };
  if (!/^\d+$/.test(v)) return { value: null, error: 'Enter a whole number, or leave it empty.' };
  const n = Number(v);
  if (n < min || n > max) return { value: null, error: `Enter a number from ${min.toLocaleString()} to ${max.toLocaleString()}.` };
  return { value: n, error: null };
}

export function urlError(value: string): string | null {
  const v = value.trim();
  if (v === '') return 'Enter the server address, like https://backup.example.com:8443.';
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return 'Enter a full address starting with https://, like https://backup.example.com:8443.';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'The address must start with https:// (or http:// for a server on this machine).';
  if (v.length > 2048) return 'That address is too long.';
  return null;
}
