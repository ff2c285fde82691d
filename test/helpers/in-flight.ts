import type { RequestLogEntry } from "../../src/emulator/hooks-client.js";

/** The most requests open at the same moment, from the emulator log's start and end times. */
export function maxInFlight(log: ReadonlyArray<Pick<RequestLogEntry, "startMs" | "endMs">>): number {
  // Ends sort before starts at the same instant: a request that ended as another began did not overlap it.
  const events = log.flatMap((entry) => [
    { at: entry.startMs, delta: 1 },
    { at: entry.endMs, delta: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let peak = 0;
  for (const event of events) {
    open += event.delta;
    peak = Math.max(peak, open);
  }
  return peak;
}
