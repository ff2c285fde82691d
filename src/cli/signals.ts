/**
 * SIGINT/SIGTERM received while the process is still loading (before a command installed its own
 * handlers). bin.ts holds them from its first line, so `akspol emulator` stopped by a supervisor right
 * after start-up stops cleanly instead of dying by the signal (docs/issues/09.md). Commands that do not handle
 * signals release the hold before they run, which restores Node's default (exit by the signal).
 */
const stopSignals = ["SIGINT", "SIGTERM"] as const;
export type StopSignal = (typeof stopSignals)[number];

let held = false;
let pending: StopSignal | undefined;
const record = (signal: NodeJS.Signals): void => {
  pending ??= signal as StopSignal;
};

export function holdStartupSignals(): void {
  if (held) return;
  held = true;
  for (const signal of stopSignals) process.on(signal, record);
}

/** Stops holding; returns the signal that arrived meanwhile, if any. Safe to call when nothing was held. */
export function releaseStartupSignals(): StopSignal | undefined {
  if (held) {
    held = false;
    for (const signal of stopSignals) process.off(signal, record);
  }
  const signal = pending;
  pending = undefined;
  return signal;
}

/** The exit code a shell reports for a process ended by this signal (128 + its number). */
export function signalExitCode(signal: StopSignal): number {
  return signal === "SIGINT" ? 130 : 143;
}
