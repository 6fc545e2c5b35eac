export { main } from './cli/main.js';
export type { Command, CliIO } from './cli/command.js';
