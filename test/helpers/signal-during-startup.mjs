// Preloaded (node --import) by test/emulator/signals.test.ts: sends this process a real signal during
// start-up, as a supervisor would. It starts counting when bin.ts asks for main.js (bin.ts's first
// lines have run, the heavy modules have not loaded yet), then lets AKSPOL_TEST_SIGNAL_TURNS event-loop
// turns pass, so successive runs hit successive moments of start-up whatever the machine's speed.
import { registerHooks } from "node:module";

const signal = process.env.AKSPOL_TEST_SIGNAL;
const turns = Number(process.env.AKSPOL_TEST_SIGNAL_TURNS ?? 0);
if (signal) {
  let started = false;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      if (!started && resolved.url.endsWith("/dist/src/main.js")) {
        started = true;
        let waited = 0;
        const tick = () => (waited++ >= turns ? process.kill(process.pid, signal) : setImmediate(tick));
        if (turns === 0) process.kill(process.pid, signal);
        else setImmediate(tick);
      }
      return resolved;
    },
  });
}
