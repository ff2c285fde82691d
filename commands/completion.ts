import type { Context } from "../src/context.js";
import { defineCommand } from "../src/cli/command.js";
import { UsageError } from "../src/cli/errors.js";
import { bashCompletion, fishCompletion, zshCompletion } from "../src/cli/completion.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type CompletionDeps = Pick<Context, "io" | "program">;

export interface CompletionOptions {
  shell: "bash" | "zsh" | "fish";
}

export default defineCommand<CompletionOptions, CompletionDeps>({
  path: ["completion"],
  summary: "Print a shell completion script (bash, zsh or fish)",
  arguments: [{ name: "shell", description: "bash, zsh or fish", required: true }],
  outputs: ["table"],
  examples: ["source <(akspol completion bash)", 'akspol completion zsh > "${fpath[1]}/_akspol"', "akspol completion fish > ~/.config/fish/completions/akspol.fish"],
  parse(input) {
    const shell = String(input.args.shell ?? "");
    if (shell !== "bash" && shell !== "zsh" && shell !== "fish") {
      throw new UsageError(`Unknown shell '${shell}'.`, { suggestion: "Use bash, zsh or fish." });
    }
    return { shell };
  },
  async run(options, ctx) {
    // The catalog's metadata, from main(), is all completion needs: no other command module is loaded.
    const commands = ctx.program?.commands;
    if (!commands) throw new Error("internal: akspol completion runs only through main()");
    const script = options.shell === "bash" ? bashCompletion(commands) : options.shell === "zsh" ? zshCompletion(commands) : fishCompletion(commands);
    ctx.io.out(script);
    return 0;
  },
});
