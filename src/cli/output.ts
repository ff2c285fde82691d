import { createRequire } from "node:module";
import type { IO } from "./io.js";

export type OutputFormat = "table" | "json" | "yaml" | "tsv" | "sarif" | "markdown" | "html" | "csv" | "junit";

export interface Column<Row> {
  header: string;
  value: (row: Row) => string | number | boolean | null | undefined | string[];
  /** Wrap long cells in this column instead of letting the row run wide. */
  wrap?: boolean;
}

function cell(value: ReturnType<Column<unknown>["value"]>): string {
  if (value === null || value === undefined || value === "") return "-";
  if (Array.isArray(value)) return value.length === 0 ? "-" : value.join(", ");
  return String(value);
}

/**
 * A table for people: aligned columns without box drawing, so it reads well in a terminal and
 * pastes cleanly into tickets. cli-table3 is loaded only when a table is printed.
 */
export function renderTable<Row>(columns: Array<Column<Row>>, rows: Row[], options: { maxWidth?: number } = {}): string {
  const require = createRequire(import.meta.url);
  const Table = require("cli-table3") as typeof import("cli-table3");
  const blank = {
    top: "", "top-mid": "", "top-left": "", "top-right": "",
    bottom: "", "bottom-mid": "", "bottom-left": "", "bottom-right": "",
    left: "", "left-mid": "", mid: "", "mid-mid": "", right: "", "right-mid": "", middle: "  ",
  };
  const table = new Table({
    head: columns.map((column) => column.header.toUpperCase()),
    chars: blank,
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0 },
    wordWrap: true,
    wrapOnWordBoundary: false,
  });
  const maxWidth = options.maxWidth ?? 200;
  for (const row of rows) {
    table.push(
      columns.map((column) => {
        const text = cell(column.value(row));
        return column.wrap && text.length > maxWidth / 3 ? text.replace(/, /g, ",\n") : text;
      }),
    );
  }
  return table
    .toString()
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n");
}

/** Tab-separated values with a header line, for scripts that prefer cut/awk to jq. */
export function renderTsv<Row>(columns: Array<Column<Row>>, rows: Row[]): string {
  const lines = [columns.map((column) => column.header).join("\t")];
  for (const row of rows) {
    lines.push(columns.map((column) => cell(column.value(row)).replace(/[\t\n]/g, " ")).join("\t"));
  }
  return lines.join("\n");
}

export function renderJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

export async function renderYaml(value: unknown): Promise<string> {
  const { stringify } = await import("yaml");
  return stringify(value);
}

/** Prints a list in the chosen format: the table/tsv columns for people, the data itself for json/yaml. */
export async function printList<Row>(
  io: IO,
  format: OutputFormat,
  columns: Array<Column<Row>>,
  rows: Row[],
  data: unknown = rows,
): Promise<void> {
  switch (format) {
    case "json":
      io.out(renderJson(data));
      return;
    case "yaml":
      io.out(await renderYaml(data));
      return;
    case "tsv":
      io.out(renderTsv(columns, rows));
      return;
    default:
      if (rows.length === 0) {
        io.info("No results.");
        return;
      }
      io.out(renderTable(columns, rows, { maxWidth: io.terminalWidth }));
  }
}

/** Prints one object as "key: value" lines for people, or as data. */
export async function printRecord(io: IO, format: OutputFormat, data: unknown, text: () => string): Promise<void> {
  if (format === "json") io.out(renderJson(data));
  else if (format === "yaml") io.out(await renderYaml(data));
  else io.out(text());
}
