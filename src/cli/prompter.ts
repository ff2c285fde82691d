import type { IO } from "./io.js";
import { CancelledError, UsageError } from "./errors.js";

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
  checked?: boolean;
  disabled?: boolean | string;
}

/** Every prompt akspol shows goes through this interface; each has a flag for scripts. */
/**
 * The prompter's select as a chooser the core can take ("which one?"), or undefined when this run
 * may not prompt (then the core refuses an ambiguous answer with a usage error).
 */
export function chooser(ctx: { prompter: Prompter; io: { canPrompt: boolean } }): (<T>(message: string, choices: Array<Choice<T>>) => Promise<T>) | undefined {
  return ctx.io.canPrompt ? (message, choices) => ctx.prompter.select(message, choices) : undefined;
}

export interface Prompter {
  select<T>(message: string, choices: Array<Choice<T>>, options?: { default?: T }): Promise<T>;
  checkbox<T>(message: string, choices: Array<Choice<T>>, options?: { required?: boolean }): Promise<T[]>;
  input(message: string, options?: { default?: string; validate?: (value: string) => true | string }): Promise<string>;
  confirm(message: string, options?: { default?: boolean }): Promise<boolean>;
}

/**
 * @inquirer/prompts bound to the IO streams (prompts write to stderr, so stdout stays data).
 * Ctrl+C surfaces as ExitPromptError, which we turn into a clean cancellation (exit 130).
 */
export class InquirerPrompter implements Prompter {
  constructor(private readonly io: IO) {}

  private context() {
    return { input: this.io.stdin as NodeJS.ReadableStream, output: this.io.stderr as NodeJS.WritableStream, clearPromptOnDone: false };
  }

  private async guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === "ExitPromptError" || name === "AbortPromptError") throw new CancelledError();
      throw error;
    }
  }

  async select<T>(message: string, choices: Array<Choice<T>>, options: { default?: T } = {}): Promise<T> {
    const { select } = await import("@inquirer/prompts");
    return this.guard(() => select<T>({ message, choices, default: options.default, pageSize: 15, loop: false }, this.context()));
  }

  async checkbox<T>(message: string, choices: Array<Choice<T>>, options: { required?: boolean } = {}): Promise<T[]> {
    const { checkbox } = await import("@inquirer/prompts");
    return this.guard(() => checkbox<T>({ message, choices, required: options.required ?? false, pageSize: 15, loop: false }, this.context()));
  }

  async input(message: string, options: { default?: string; validate?: (value: string) => true | string } = {}): Promise<string> {
    const { input } = await import("@inquirer/prompts");
    return this.guard(() => input({ message, default: options.default, validate: options.validate }, this.context()));
  }

  async confirm(message: string, options: { default?: boolean } = {}): Promise<boolean> {
    const { confirm } = await import("@inquirer/prompts");
    return this.guard(() => confirm({ message, default: options.default ?? false }, this.context()));
  }
}

/** Used when prompting is impossible: any prompt is a usage error naming the flag to pass instead. */
export class NoPrompter implements Prompter {
  private refuse(message: string): never {
    throw new UsageError(`Input needed ("${message}") but prompting is not possible (no terminal, or --no-input).`, {
      suggestion: "Pass the value with its flag; see --help.",
    });
  }
  select<T>(message: string): Promise<T> {
    return this.refuse(message);
  }
  checkbox<T>(message: string): Promise<T[]> {
    return this.refuse(message);
  }
  input(message: string): Promise<string> {
    return this.refuse(message);
  }
  confirm(message: string): Promise<boolean> {
    return this.refuse(message);
  }
}

export type ScriptedAnswer = unknown | ((choices: Array<Choice<unknown>>) => unknown);

/**
 * Test prompter: answers prompts in order, each matched by a substring or pattern of its message.
 * An unexpected prompt fails the test loudly, like azd's mock console.
 */
export class ScriptedPrompter implements Prompter {
  readonly asked: string[] = [];
  constructor(private readonly script: Array<{ match: string | RegExp; answer: ScriptedAnswer }>) {}

  private next(message: string, choices: Array<Choice<unknown>> = []): unknown {
    this.asked.push(message);
    const step = this.script.shift();
    if (!step) throw new Error(`Unscripted prompt: "${message}"`);
    const matches = typeof step.match === "string" ? message.includes(step.match) : step.match.test(message);
    if (!matches) throw new Error(`Prompt "${message}" does not match the scripted ${String(step.match)}`);
    if (step.answer instanceof CancelledError) throw step.answer;
    return typeof step.answer === "function" ? (step.answer as (c: Array<Choice<unknown>>) => unknown)(choices) : step.answer;
  }
  get remaining(): number {
    return this.script.length;
  }
  async select<T>(message: string, choices: Array<Choice<T>>): Promise<T> {
    return this.next(message, choices as Array<Choice<unknown>>) as T;
  }
  async checkbox<T>(message: string, choices: Array<Choice<T>>): Promise<T[]> {
    return this.next(message, choices as Array<Choice<unknown>>) as T[];
  }
  async input(message: string, options: { validate?: (value: string) => true | string } = {}): Promise<string> {
    const value = String(this.next(message));
    const verdict = options.validate?.(value) ?? true;
    if (verdict !== true) throw new Error(`Scripted input "${value}" rejected by validation: ${verdict}`);
    return value;
  }
  async confirm(message: string): Promise<boolean> {
    return Boolean(this.next(message));
  }
}
