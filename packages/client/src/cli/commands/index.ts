import type { Command } from '../command.js';

/** Every `fedcl` sub-command. Each lives in its own file in this folder. */
export const commands: Command[] = [];
