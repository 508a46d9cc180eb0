/** The server's trial settings (space, duration, deletion after expiry). */
import { Id } from '../api/common.js';
import { TrialSettings } from '../api/trial.js';
import { Arg, CachedOf, ServerArg, type RequestSpecs } from './request.js';

export const trialRequests = {
  'trialSettings.get': { arg: ServerArg, result: CachedOf(TrialSettings) },
  'trialSettings.update': { arg: Arg({ serverId: Id, settings: TrialSettings }), result: TrialSettings },
} satisfies RequestSpecs;
