/** Every `npm run soak` case, in the order they run (issue #20). Append new cases here. */
import type { SoakCase } from '../case.ts';
import { FAULT_CASES } from './faults.ts';

export const CASES: SoakCase[] = [...FAULT_CASES];
