import { PassThrough, type Readable, type Writable } from "node:stream";
import { redact } from "../redact.js";
import { safeText, safeTextKeepingStyle } from "./safe-text.js";
import { renderJsonPieces } from "./json-text.js";

/**
 * Owns the streams. Data goes to stdout; status, warnings, spinners and prompts go to stderr.
 * Modelled on GitHub CLI's iostreams: commands never touch process.stdout directly.
 */
export interface IOStreams {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
}

export interface IOSettings {
  noInput?: boolean;
  quiet?: boolean;
  debug?: boolean;
  /** NO_COLOR or a dumb terminal turns colours off. */
  color?: boolean;
}

export class IO {
  readonly stdin: IOStreams["stdin"];
  readonly stdout: IOStreams["stdout"];
  readonly stderr: IOStreams["stderr"];
  quiet: boolean;
  debugEnabled: boolean;
  noInput: boolean;
  readonly colorEnabled: boolean;
  /**
   * Width tables must fit (COLUMNS, else the terminal's width when stdout is a terminal); undefined
   * means no limit (stdout is a pipe or a file without COLUMNS, or -o wide). Set by main.
   */
  tableWidth: number | undefined;

  constructor(streams: IOStreams, settings: IOSettings = {}) {
    this.stdin = streams.stdin;
    this.stdout = streams.stdout;
    this.stderr = streams.stderr;
    this.quiet = settings.quiet ?? false;
    this.debugEnabled = settings.debug ?? false;
    this.noInput = settings.noInput ?? false;
    this.colorEnabled = (settings.color ?? true) && this.isStderrTTY;
    this.tableWidth = this.isStdoutTTY ? (this.stdout.columns ?? 80) : undefined;
  }

  /** The width text reports may use: the table width, else the terminal's, else 120. */
  get terminalWidth(): number {
    return this.tableWidth ?? this.stdout.columns ?? 120;
  }

  /**
   * Every line leaves through here: made terminal-safe (no control characters or escape sequences
   * from foreign text; only akspol's own colours survive), and never written to a stream that is
   * gone (EPIPE: the reader closed the pipe). Losing a stream never stops the command (docs/issues/09.md).
   */
  private emit(stream: Writable, text: string): void {
    if (stream.destroyed || stream.writableEnded) return;
    stream.write(this.colorEnabled ? safeTextKeepingStyle(text) : safeText(text));
  }
  /** Raw text for stderr (commander's help and errors), made safe like every other line. */
  writeErr(text: string): void {
    this.emit(this.stderr, text);
  }
  /** Raw text for stdout (commander's help), made safe like every other line. */
  writeOut(text: string): void {
    this.emit(this.stdout, text);
  }
  /**
   * Text for stdout that the caller has proven terminal-safe (isTerminalSafe), so the scan is not
   * repeated: `check` proves it for whole documents on input, which is ten times less text than its
   * output; bytes are such text encoded as UTF-8 (by a worker thread of `check`). Only the scan is
   * skipped; a closed stream is still never written to.
   */
  writeOutChecked(text: string | Uint8Array): void {
    if (this.stdout.destroyed || this.stdout.writableEnded) return;
    this.stdout.write(text);
  }

  get isStdinTTY(): boolean {
    return this.stdin.isTTY === true;
  }
  get isStdoutTTY(): boolean {
    return this.stdout.isTTY === true;
  }
  get isStderrTTY(): boolean {
    return this.stderr.isTTY === true;
  }
  /** Prompts only when a person can answer: stdin and stdout are terminals and --no-input is off. */
  get canPrompt(): boolean {
    return this.isStdinTTY && this.isStdoutTTY && !this.noInput;
  }
  /** Data for stdout (tables, JSON). */
  out(text: string): void {
    this.emit(this.stdout, text.endsWith("\n") ? text : `${text}\n`);
  }
  /**
   * A value as JSON on stdout (renderJson's text): terminal-safe by construction, so written without the scan
   * every other line gets, which counts for a report of a hundred megabytes.
   */
  outJson(value: unknown): void {
    if (this.stdout.destroyed || this.stdout.writableEnded) return;
    // In pieces (renderJsonPieces): the text of a large report is never held whole.
    for (const piece of renderJsonPieces(value)) this.stdout.write(piece);
    this.stdout.write("\n");
  }
  /** Status for stderr; suppressed by --quiet. */
  info(text: string): void {
    if (!this.quiet) this.emit(this.stderr, `${text}\n`);
  }
  heading(text: string): void {
    if (!this.quiet) this.emit(this.stderr, `\n${this.bold(text)}\n`);
  }
  success(text: string): void {
    if (!this.quiet) this.emit(this.stderr, `${this.green("✓")} ${text}\n`);
  }
  warn(text: string): void {
    this.emit(this.stderr, `${this.yellow("warning:")} ${text}\n`);
  }
  error(text: string): void {
    this.emit(this.stderr, `${this.red("error:")} ${text}\n`);
  }
  /** Debug lines are always redacted: tokens and secrets never reach the terminal. */
  debug(text: string): void {
    if (this.debugEnabled) this.emit(this.stderr, `${this.dim(`debug: ${redact(text)}`)}\n`);
  }

  /**
   * Runs fn under a spinner on a terminal; elsewhere prints the label once (unless quiet).
   * ora is loaded lazily so --help stays fast, and always stopped in finally.
   */
  async withSpinner<T>(label: string, fn: (update: (text: string) => void) => Promise<T>): Promise<T> {
    if (!this.isStderrTTY || this.quiet) {
      if (!this.quiet) this.info(`${label}...`);
      return fn(() => undefined);
    }
    const { default: ora } = await import("ora");
    const spinner = ora({ text: label, stream: this.stderr as NodeJS.WritableStream, discardStdin: false }).start();
    try {
      const result = await fn((text) => {
        spinner.text = text;
      });
      spinner.succeed();
      return result;
    } catch (error) {
      spinner.fail();
      throw error;
    } finally {
      if (spinner.isSpinning) spinner.stop();
    }
  }

  private paint(code: number, text: string, reset = 39): string {
    return this.colorEnabled ? `\u001b[${code}m${text}\u001b[${reset}m` : text;
  }
  bold(text: string): string {
    return this.paint(1, text, 22);
  }
  dim(text: string): string {
    return this.paint(2, text, 22);
  }
  red(text: string): string {
    return this.paint(31, text);
  }
  green(text: string): string {
    return this.paint(32, text);
  }
  yellow(text: string): string {
    return this.paint(33, text);
  }
  cyan(text: string): string {
    return this.paint(36, text);
  }
}

export function systemIO(settings: IOSettings = {}): IO {
  return new IO({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }, settings);
}

export interface TestIO {
  io: IO;
  stdout(): string;
  stderr(): string;
  stdin: PassThrough;
}

/** Buffers for tests; `tty` makes the streams claim to be terminals. */
export function createTestIO(options: { tty?: boolean; input?: string } & IOSettings = {}): TestIO {
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  const stdout = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  const stderr = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  let outText = "";
  let errText = "";
  stdout.on("data", (chunk: Buffer) => (outText += chunk.toString()));
  stderr.on("data", (chunk: Buffer) => (errText += chunk.toString()));
  if (options.tty) {
    stdin.isTTY = true;
    stdout.isTTY = true;
    stderr.isTTY = true;
    stdout.columns = 160;
    stderr.columns = 160;
    // Spinners (ora) move the cursor on a terminal; test terminals accept and ignore that.
    for (const stream of [stdout, stderr] as Array<PassThrough & Record<string, unknown>>) {
      stream.cursorTo = (_x: number, _y?: unknown, callback?: () => void) => (callback?.(), true);
      stream.moveCursor = (_dx: number, _dy: number, callback?: () => void) => (callback?.(), true);
      stream.clearLine = (_direction: number, callback?: () => void) => (callback?.(), true);
    }
  }
  if (options.input !== undefined) stdin.end(options.input);
  const io = new IO({ stdin, stdout, stderr }, { ...options, color: false });
  return { io, stdout: () => outText, stderr: () => errText, stdin };
}
