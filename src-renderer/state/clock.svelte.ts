/**
 * The time now, moved on every `intervalMs` while the component that made it is shown: a replica's lag
 * grows while its page is open. Made while a component is set up (the timer ends with it).
 */
export class Clock {
  now = $state(Date.now());

  constructor(intervalMs = 15_000) {
    $effect(() => {
      const timer = setInterval(() => (this.now = Date.now()), intervalMs);
      return () => clearInterval(timer);
    });
  }
}
