import { Type, type Static } from 'typebox';
import { Bytes } from './common.js';

export const TrialSettings = Type.Object(
  {
    spaceBytes: Bytes,
    trialDays: Type.Integer({ minimum: 1, maximum: 3650 }),
    deleteAfterDays: Type.Integer({ minimum: 0, maximum: 3650 }),
  },
  { additionalProperties: false },
);
export type TrialSettings = Static<typeof TrialSettings>;
