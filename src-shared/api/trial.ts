import { Type, type Static } from 'typebox';

export const TrialSettings = Type.Object(
  {
    spaceBytes: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    trialDays: Type.Integer({ minimum: 1, maximum: 3650 }),
    deleteAfterDays: Type.Integer({ minimum: 0, maximum: 3650 }),
  },
  { additionalProperties: false },
);
export type TrialSettings = Static<typeof TrialSettings>;
