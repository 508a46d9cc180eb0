import type { Attachment } from 'svelte/attachments';

/** Reports an element's client height now and whenever it changes (no-op where ResizeObserver is missing, e.g. jsdom). */
export function observeHeight(onHeight: (px: number) => void): Attachment<HTMLElement> {
  return (el) => {
    onHeight(el.clientHeight);
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => onHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  };
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.closest('[inert]') && !el.hasAttribute('hidden'));
}
