import type { Command } from '../command.js';
import { coordinatorStart, coordinatorToken } from './coordinator.js';
import { demoData } from './demoData.js';
import { dicomInfo } from './dicomInfo.js';
import { dicomPixels } from './dicomPixels.js';
import { dicomScan } from './dicomScan.js';
import { siteEnrol, siteRun } from './site.js';
import { simulateCommand } from './simulate.js';
import { evaluateCommand, finetuneCommand, predictCommand } from './finetune.js';
import { demoCommand } from './demo.js';
import { modelInit } from './modelInit.js';

/** Every `fedcl` sub-command. Each lives in its own file in this folder. */
export const commands: Command[] = [demoData, dicomInfo, dicomPixels, dicomScan, coordinatorStart, coordinatorToken, siteEnrol, siteRun, simulateCommand, finetuneCommand, evaluateCommand, predictCommand, demoCommand, modelInit];
