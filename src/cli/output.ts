import { createRequire } from "node:module";
import type { IO } from "./io.js";
import { safeText } from "./safe-text.js";
import { renderJson } from "./json-text.js";

export type OutputFormat = "table" | "wide" | "json" | "yaml" | "tsv" | "sarif" | "markdown" | "html" | "csv" | "junit";

export interface Column<Row> {
  header: string;
  value: (row: Row) => string | number | boolean | null | undefined | string[];
  /** Dropped first when the table does not fit the width (shown with -o wide). */
  optional?: boolean;
}

function cell(value: ReturnType<Column<unknown>["value"]>): string {
  if (value === null || value === undefined || value === "") return "-";
  if (Array.isArray(value)) return value.length === 0 ? "-" : value.join(", ");
  return String(value);
}

const gap = 2;
const ellipsis = "…";
const widthOf = (text: string): number => [...text].length;

/** Cuts text to `width` characters, ending in an ellipsis when something was cut. */
export function truncate(text: string, width: number): string {
  const characters = [...text];
  if (characters.length <= width) return text;
  return width <= 0 ? "" : `${characters.slice(0, width - 1).join("")}${ellipsis}`;
}

/**
 * Column widths that fit `maxWidth`: optional columns are dropped (last first), then the widest
 * columns give up characters (each keeps at least its header, up to 12) until the table fits.
 */
export function fitColumns(headers: string[], natural: number[], optional: boolean[], maxWidth: number | undefined): { shown: number[]; widths: number[] } {
  let shown = headers.map((_header, index) => index);
  const widths = [...natural];
  const total = () => shown.reduce((sum, index) => sum + (widths[index] ?? 0), 0) + gap * Math.max(0, shown.length - 1);
  if (maxWidth === undefined) return { shown, widths };
  for (let index = headers.length - 1; index >= 0 && total() > maxWidth; index -= 1) {
    if (optional[index]) shown = shown.filter((candidate) => candidate !== index);
  }
  const floor = (index: number) => Math.min(natural[index] ?? 0, Math.max(4, Math.min(widthOf(headers[index] ?? ""), 12)));
  while (total() > maxWidth) {
    const widest = shown.filter((index) => (widths[index] ?? 0) > floor(index)).sort((a, b) => (widths[b] ?? 0) - (widths[a] ?? 0))[0];
    if (widest === undefined) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
  return { shown, widths };
}

/**
 * A table for people: aligned columns without box drawing, so it reads well in a terminal and pastes
 * cleanly into tickets. One line per row, never wrapped: at `maxWidth` (COLUMNS or the terminal) it
 * drops optional columns and truncates cells with an ellipsis; -o wide passes no limit. Every cell is
 * made terminal-safe. cli-table3 is loaded only when a table is printed.
 */
export function renderTable<Row>(columns: Array<Column<Row>>, rows: Row[], options: { maxWidth?: number } = {}): string {
  const require = createRequire(import.meta.url);
  const Table = require("cli-table3") as typeof import("cli-table3");
  const headers = columns.map((column) => column.header.toUpperCase());
  const cells = rows.map((row) => columns.map((column) => safeText(cell(column.value(row)).replace(/\s*\n\s*/g, " "))));
  const natural = headers.map((header, index) => Math.max(widthOf(header), ...cells.map((line) => widthOf(line[index] ?? ""))));
  const { shown, widths } = fitColumns(
    headers,
    natural,
    columns.map((column) => column.optional === true),
    options.maxWidth,
  );
  const blank = {
    top: "",
    "top-mid": "",
    "top-left": "",
    "top-right": "",
    bottom: "",
    "bottom-mid": "",
    "bottom-left": "",
    "bottom-right": "",
    left: "",
    "left-mid": "",
    mid: "",
    "mid-mid": "",
    right: "",
    "right-mid": "",
    middle: " ".repeat(gap),
  };
  const table = new Table({
    head: shown.map((index) => truncate(headers[index] ?? "", widths[index] ?? 0)),
    chars: blank,
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0 },
    colWidths: shown.map((index) => widths[index] ?? 0),
    wordWrap: false,
  });
  for (const line of cells) table.push(shown.map((index) => truncate(line[index] ?? "", widths[index] ?? 0)));
  return table
    .toString()
    .split("\n")
    .map((line) => {
      const trimmed = line.trimEnd();
      return options.maxWidth === undefined ? trimmed : truncate(trimmed, options.maxWidth);
    })
    .join("\n");
}

/** Tab-separated values with a header line, for scripts that prefer cut/awk to jq. */
export function renderTsv<Row>(columns: Array<Column<Row>>, rows: Row[]): string {
  const lines = [columns.map((column) => column.header).join("\t")];
  for (const row of rows) {
    lines.push(columns.map((column) => safeText(cell(column.value(row)).replace(/[\t\n]/g, " "))).join("\t"));
  }
  return lines.join("\n");
}

export { renderJson };

export async function renderYaml(value: unknown): Promise<string> {
  const { stringify } = await import("yaml");
  return stringify(value);
}

/** Prints a list in the chosen format: the table/tsv columns for people, the data itself for json/yaml. */
export async function printList<Row>(io: IO, format: OutputFormat, columns: Array<Column<Row>>, rows: Row[], data: unknown = rows): Promise<void> {
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
      io.out(renderTable(columns, rows, { maxWidth: io.tableWidth }));
  }
}

/** Prints one object as "key: value" lines for people, or as data. */
export async function printRecord(io: IO, format: OutputFormat, data: unknown, text: () => string): Promise<void> {
  if (format === "json") io.out(renderJson(data));
  else if (format === "yaml") io.out(await renderYaml(data));
  else io.out(text());
}
