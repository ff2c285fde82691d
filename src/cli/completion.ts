import type { OptionSpec } from "./option-spec.js";
import { globalOptionSpecs } from "./global-options.js";

/** What completion needs of a command: its words, summary and flags (CommandMetadata has them). */
export interface CompletableCommand {
  path: string[];
  summary: string;
  options?: OptionSpec[];
}

interface Tree {
  /** Top-level words: verbs and nouns. */
  top: string[];
  /** Verbs under each noun. */
  nouns: Map<string, string[]>;
  /** Flags per command path ("find", "exclude add"). */
  flags: Map<string, string[]>;
}

function longFlags(options: OptionSpec[]): string[] {
  return options.flatMap((option) => option.flags.split(/[ ,|]+/)).filter((word) => word.startsWith("--"));
}

/** Flags every command accepts. */
const globalFlags = [...longFlags(globalOptionSpecs), "--help"];

export function commandTree(commands: readonly CompletableCommand[]): Tree {
  const top = new Set<string>();
  const nouns = new Map<string, string[]>();
  const flags = new Map<string, string[]>();
  for (const spec of commands) {
    top.add(spec.path[0] as string);
    if (spec.path.length === 2) nouns.set(spec.path[0] as string, [...(nouns.get(spec.path[0] as string) ?? []), spec.path[1] as string]);
    flags.set(spec.path.join(" "), [...longFlags(spec.options ?? []), ...globalFlags]);
  }
  return { top: [...top, "help"], nouns, flags };
}

export function bashCompletion(commands: readonly CompletableCommand[]): string {
  const tree = commandTree(commands);
  const cases = [...tree.flags.entries()].map(([path, flags]) => `    "${path}") opts="${flags.join(" ")}" ;;`).join("\n");
  const nounCases = [...tree.nouns.entries()].map(([noun, verbs]) => `    ${noun}) verbs="${verbs.join(" ")}" ;;`).join("\n");
  return `# akspol bash completion. Install: akspol completion bash > /etc/bash_completion.d/akspol
# or add 'source <(akspol completion bash)' to ~/.bashrc
_akspol() {
  local cur words path="" verbs="" opts=""
  cur="\${COMP_WORDS[COMP_CWORD]}"
  local first="\${COMP_WORDS[1]}" second="\${COMP_WORDS[2]}"
  case "$first" in
${nounCases}
  esac
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=( $(compgen -W "${tree.top.join(" ")} --help --version" -- "$cur") ); return
  fi
  if [[ -n $verbs && $COMP_CWORD -eq 2 ]]; then
    COMPREPLY=( $(compgen -W "$verbs" -- "$cur") ); return
  fi
  if [[ -n $verbs ]]; then path="$first $second"; else path="$first"; fi
  case "$path" in
${cases}
  esac
  case "\${COMP_WORDS[COMP_CWORD-1]}" in
    --auth) COMPREPLY=( $(compgen -W "default cli device-code browser service-principal managed-identity workload-identity" -- "$cur") ); return ;;
    --cloud) COMPREPLY=( $(compgen -W "AzureCloud AzureChinaCloud AzureUSGovernment" -- "$cur") ); return ;;
    -o|--output) COMPREPLY=( $(compgen -W "table json yaml tsv sarif" -- "$cur") ); return ;;
    -f|--file|--state-dir|--emulator-dir) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
  esac
  if [[ $cur == -* ]]; then COMPREPLY=( $(compgen -W "$opts" -- "$cur") ); return; fi
  COMPREPLY=( $(compgen -f -- "$cur") )
}
complete -F _akspol akspol
`;
}

export function zshCompletion(commands: readonly CompletableCommand[]): string {
  // zsh runs bash completion functions through bashcompinit: one source of truth.
  return `#compdef akspol
# akspol zsh completion. Install: akspol completion zsh > "\${fpath[1]}/_akspol"
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(commands)}`;
}

export function fishCompletion(commands: readonly CompletableCommand[]): string {
  const tree = commandTree(commands);
  const lines = ["# akspol fish completion. Install: akspol completion fish > ~/.config/fish/completions/akspol.fish", "complete -c akspol -f"];
  const topWords = tree.top.join(" ");
  for (const spec of commands) {
    if (spec.path.length === 1) {
      lines.push(`complete -c akspol -n "not __fish_seen_subcommand_from ${topWords}" -a ${spec.path[0]} -d ${JSON.stringify(spec.summary)}`);
    }
  }
  for (const [noun, verbs] of tree.nouns) {
    lines.push(`complete -c akspol -n "not __fish_seen_subcommand_from ${topWords}" -a ${noun}`);
    for (const verb of verbs) {
      const spec = commands.find((candidate) => candidate.path.join(" ") === `${noun} ${verb}`);
      lines.push(`complete -c akspol -n "__fish_seen_subcommand_from ${noun}; and not __fish_seen_subcommand_from ${verbs.join(" ")}" -a ${verb} -d ${JSON.stringify(spec?.summary ?? "")}`);
    }
  }
  for (const [path, flags] of tree.flags) {
    const last = path.split(" ").pop();
    for (const flag of new Set(flags)) lines.push(`complete -c akspol -n "__fish_seen_subcommand_from ${last}" -l ${flag.slice(2)}`);
  }
  lines.push(`complete -c akspol -l auth -xa "default cli device-code browser service-principal managed-identity workload-identity"`);
  lines.push(`complete -c akspol -l cloud -xa "AzureCloud AzureChinaCloud AzureUSGovernment"`);
  return `${lines.join("\n")}\n`;
}
