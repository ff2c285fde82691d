import type { Context } from "../src/context.js";
import { booleanOption, defineCommand, stringOption } from "../src/cli/command.js";
import { UsageError } from "../src/cli/errors.js";
import { printList } from "../src/cli/output.js";
import { lastSegment } from "../src/azure/ids.js";
import { historyEntries, type ResolvedEntry } from "../src/journal/history.js";
import { describeProblems } from "../src/journal/journal.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type HistoryDeps = Pick<Context, "azure" | "clock" | "format" | "globals" | "io" | "journal">;

export interface HistoryOptions {
  assignment?: string;
  limit?: number;
  all: boolean;
}

export default defineCommand<HistoryOptions, HistoryDeps>({
  path: ["history"],
  summary: "List the changes akspol made from this machine (the local journal), newest first",
  description:
    "Reads the change journal in the state dir: the current file and the newest rotated segment (--all: every segment). A change whose outcome was never recorded (the process was killed mid-write), or whose read-back failed (unverified), is settled against Azure: the resource as it is now says whether the write landed. Lines that are not records (a crash cut one off) are skipped and reported with their line numbers. Works from a read-only state dir.",
  options: [
    { flags: "--assignment <name-or-id>", description: "only changes of this assignment (name or full id)" },
    { flags: "--limit <n>", description: "at most n changes" },
    { flags: "--all", description: "also read the older rotated journal segments" },
  ],
  outputs: ["table", "json", "yaml", "tsv"],
  examples: ["akspol history", "akspol history --assignment pss-baseline -o json"],
  parse(input) {
    const limitText = stringOption(input, "limit");
    const limit = limitText === undefined ? undefined : Number(limitText);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UsageError(`Invalid --limit '${limitText}': use a whole number from 1.`);
    return { assignment: stringOption(input, "assignment"), limit, all: booleanOption(input, "all") };
  },
  async run(options, ctx) {
    const journal = ctx.journal();
    const result = await historyEntries({ session: ctx.azure, journal, stateDir: ctx.globals.stateDir, now: () => ctx.clock.now() }, { all: options.all });
    for (const line of describeProblems(result.problems)) ctx.io.warn(line);
    if (result.olderSegments > 0) ctx.io.info(`${result.olderSegments} older journal segment(s) not read; pass --all to include them.`);
    let entries = result.entries;
    if (options.assignment) {
      const wanted = options.assignment.toLowerCase();
      entries = entries.filter(
        (entry) =>
          (entry.resourceKind === "policyAssignment" || entry.resourceKind === "conversion") &&
          (wanted.includes("/") ? entry.resourceId.toLowerCase().replace(/\/+$/, "") === wanted.replace(/\/+$/, "") : lastSegment(entry.resourceId).toLowerCase() === wanted),
      );
    }
    entries = entries.reverse();
    if (options.limit) entries = entries.slice(0, options.limit);
    await printList<ResolvedEntry>(
      ctx.io,
      ctx.format,
      [
        { header: "Change", value: (entry) => entry.changeId },
        { header: "Time", value: (entry) => entry.time },
        { header: "Status", value: (entry) => `${entry.status}${entry.undoneBy?.length ? ` (undone by ${entry.undoneBy.join(", ")})` : ""}${entry.resolution ? ` [${entry.resolution}]` : ""}` },
        { header: "Resource", value: (entry) => lastSegment(entry.resourceId) },
        { header: "Change made", value: (entry) => entry.summary },
        { header: "By", value: (entry) => entry.principal?.name, optional: true },
        { header: "Reason", value: (entry) => [entry.reason, entry.ticket].filter(Boolean).join(" / "), optional: true },
      ],
      entries,
      { schemaVersion: 1, entries },
    );
    return 0;
  },
});
