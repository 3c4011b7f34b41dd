import type { AlertChange } from "./types.ts";

/**
 * The listeners of one alert store (AlertStore.onChange). Each is called in history order once the
 * change is durable; one that throws is skipped, so a faulty consumer cannot stop the others or
 * undo a stored change.
 */
export class ChangeListeners {
  private readonly listeners = new Set<(change: AlertChange) => void>();

  add(listener: (change: AlertChange) => void): () => void {
    // A wrapper per registration, so the same function added twice is called twice and removed once.
    const entry = (change: AlertChange) => listener(change);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  emit(changes: readonly AlertChange[]): void {
    for (const change of changes) {
      for (const listener of this.listeners) {
        try {
          listener(change);
        } catch {
          // The change is stored; the consumer reads it again through changes().
        }
      }
    }
  }
}
