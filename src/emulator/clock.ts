// The emulator's clock: real time plus an offset that the test hooks move. Persisted, so a restart
// keeps the time a test or the demo set.
import type { Store } from "./store.js";

const CLOCK_KEY = "#meta/clock";

export class EmulatorClock {
  private offsetMs: number;
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
    this.offsetMs = (store.get(CLOCK_KEY)?.body?.offsetMs as number | undefined) ?? 0;
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  async set(date: Date): Promise<void> {
    this.offsetMs = date.getTime() - Date.now();
    const batch = this.store.batch();
    batch.put(CLOCK_KEY, { type: "#meta", id: CLOCK_KEY, body: { offsetMs: this.offsetMs } });
    await batch.commit();
  }

  async advance(ms: number): Promise<void> {
    await this.set(new Date(this.now().getTime() + ms));
  }
}
