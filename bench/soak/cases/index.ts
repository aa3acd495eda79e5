/** Every `npm run soak` case, in the order they run (issue #20). Append new cases here. */
import type { SoakCase } from '../case.ts';

export const CASES: SoakCase[] = [];
