/**
 * The nap of a pacing loop: it ends after `ms`, or at once when what the loop waits for happens
 * (an acknowledgement, a drained socket) and somebody calls `wake`.
 */
export class Waker {
  #wake: (() => void) | undefined;

  wake(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake(), ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
