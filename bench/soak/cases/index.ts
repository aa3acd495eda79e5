/** Every `npm run soak` case, in the order they run (issue #20). Append new cases here. */
import type { SoakCase } from '../case.ts';
import { FAULT_CASES } from './faults.ts';
import { floods } from './floods.ts';
import { paths } from './paths.ts';
import { slowClients } from './slow-clients.ts';

export const CASES: SoakCase[] = [slowClients, floods, paths, ...FAULT_CASES];
