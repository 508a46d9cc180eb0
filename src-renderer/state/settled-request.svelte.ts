import { errorMessage } from '../lib/errors.js';

/**
 * A live answer of the server to what `request` reads now (a quote, a retention preview), asked once the
 * input has rested `delayMs`: one request per pause, not per key, and only the newest answer is shown
 * (an older one arriving late is dropped). `null` from `request` asks nothing and clears the answer.
 * Made while a component is set up (it runs an effect).
 */
export class SettledRequest<Arg, Answer> {
  answer = $state.raw<Answer | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);
  #seq = 0;

  /** `doing` names the request in an error ("Asking the server for a preview"). */
  constructor(request: () => Arg | null, ask: (arg: Arg) => Promise<Answer>, doing: string, delayMs: number) {
    $effect(() => {
      const wanted = request();
      const seq = ++this.#seq;
      this.loading = wanted !== null;
      if (wanted === null) {
        this.answer = null;
        this.error = null;
        return;
      }
      const timer = setTimeout(() => {
        ask(wanted)
          .then((answer) => {
            if (seq !== this.#seq) return;
            this.answer = answer;
            this.error = null;
          })
          .catch((err: unknown) => {
            if (seq !== this.#seq) return;
            this.answer = null;
            this.error = errorMessage(err, doing);
          })
          .finally(() => {
            if (seq === this.#seq) this.loading = false;
          });
      }, delayMs);
      return () => clearTimeout(timer);
    });
  }
}
