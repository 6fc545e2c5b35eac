import { parseArgs } from 'node:util';

type ParseArgsOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/** Where a command writes. Tests pass buffers; the real CLI passes the process streams. */
export interface CliIO {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown; isTTY?: boolean };
}

/** One `fedcl` sub-command, e.g. name `dicom info`. */
export interface Command {
  /** Space-separated words that select the command: `dicom info`. */
  readonly name: string;
  /** One line for `fedcl --help`. */
  readonly summary: string;
  /** Full usage text for `fedcl <name> --help`. */
  readonly usage: string;
  run(argv: string[], io: CliIO): Promise<number>;
}

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * `util.parseArgs` with errors turned into UsageError (so the user sees the usage text)
 * and `--help` left to the dispatcher.
 */
export function parseCommandArgs(
  argv: string[],
  options: NonNullable<ParseArgsOptions>,
  allowPositionals = true,
): { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] } {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Parses a numeric option, refusing anything that is not a finite number in range. */
export function numberOption(name: string, value: string | undefined, fallback: number, min = -Infinity, max = Infinity): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a number in [${min}, ${max}], got '${value}'`);
  }
  return n;
}
