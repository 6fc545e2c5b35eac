import { type CliIO, type Command, UsageError } from './command.js';
import { commands as registered } from './commands/index.js';

const VERSION = '0.1.0';

function help(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 10);
  const lines = commands.map((c) => `  fedcl ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'fedcl — federated contrastive pretraining on medical images',
    '',
    'Usage: fedcl <command> [options]   (fedcl <command> --help for details)',
    '',
    'Commands:',
    ...lines,
    '',
  ].join('\n');
}

/** Finds the command whose name matches the longest prefix of argv words. */
export function resolve(commands: readonly Command[], argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[] } | undefined;
  for (const command of commands) {
    const words = command.name.split(' ');
    if (words.every((w, i) => argv[i] === w) && (!best || words.length > best.command.name.split(' ').length)) {
      best = { command, rest: argv.slice(words.length) };
    }
  }
  return best;
}

/** Runs the CLI; returns the process exit code (0 ok, 1 failure, 2 usage). */
export async function main(
  argv: string[],
  io: CliIO = { stdout: process.stdout, stderr: process.stderr },
  commands: readonly Command[] = registered,
): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout.write(help(commands));
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version' || argv[0] === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const found = resolve(commands, argv);
  if (!found) {
    io.stderr.write(`fedcl: unknown command '${argv.join(' ')}'\n\n${help(commands)}`);
    return 2;
  }
  const { command, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.usage.trimEnd()}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`fedcl ${command.name}: ${err.message}\n\n${command.usage.trimEnd()}\n`);
      return 2;
    }
    const e = err as Error & { code?: string };
    const code = typeof e.code === 'string' ? ` [${e.code}]` : '';
    io.stderr.write(`fedcl ${command.name}: ${e.name ?? 'Error'}${code}: ${e.message}\n`);
    if (process.env.FEDCL_DEBUG) io.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
