/**
 * The agent's command line: `<command words> --flag value ... --switch`, checked against what each
 * command takes, so a mistyped flag is an error rather than silently ignored.
 */
import type { StateDir } from './state.js';

/** Thrown for a command line that cannot work; printed with the usage hint. */
export class UsageError extends Error {}

export interface CommandSpec {
  /** Flags taking a value. */
  values: readonly string[];
  /** Those of `values` that may take several (`--source A B` or `--source A --source B`). */
  lists?: readonly string[];
  switches: readonly string[];
  run: (flags: Flags, stateDir: StateDir) => Promise<number>;
}

export class Flags {
  constructor(private readonly values: Map<string, string[]>) {}

  has(name: string): boolean {
    return this.values.has(name);
  }

  optional(name: string): string | undefined {
    const list = this.values.get(name);
    if (list && list.length > 1) throw new UsageError(`--${name} was given ${list.length} times; give it once`);
    return list?.[0];
  }

  required(name: string): string {
    const value = this.optional(name);
    if (value === undefined) throw new UsageError(`--${name} is required`);
    return value;
  }

  all(name: string): string[] {
    return this.values.get(name) ?? [];
  }
}

/** The command `argv` names and its flags; `--state-dir` is accepted by every command. */
export function parse(argv: readonly string[], commands: Readonly<Record<string, CommandSpec>>): { spec: CommandSpec; flags: Flags } {
  const words: string[] = [];
  let at = 0;
  while (at < argv.length && !argv[at]!.startsWith('--')) words.push(argv[at++]!);
  const command = words.join(' ');
  const spec = commands[command];
  if (!spec) throw new UsageError(command ? `unknown command "${command}"` : 'no command given');
  const values = new Map<string, string[]>();
  while (at < argv.length) {
    const arg = argv[at++]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const list = values.get(name) ?? [];
    values.set(name, list);
    if (spec.switches.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      list.push('');
      continue;
    }
    if (name !== 'state-dir' && !spec.values.includes(name)) throw new UsageError(`unknown flag --${name} for "${command}"`);
    if (eq >= 0) {
      list.push(arg.slice(eq + 1));
      continue;
    }
    const value = argv[at];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
    list.push(value);
    at++;
    // --source PATH...: further plain words are more values of a list flag.
    while (spec.lists?.includes(name) && at < argv.length && !argv[at]!.startsWith('--')) list.push(argv[at++]!);
  }
  return { spec, flags: new Flags(values) };
}
