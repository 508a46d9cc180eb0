import { TrialSettings } from '../../../src-shared/api/trial.js';
import type { trialRequests } from '../../../src-shared/bridge/trial.js';
import type { ConsoleState } from '../console-state.js';
import type { Handlers } from './handler.js';

export const trialHandlers = ({ servers }: ConsoleState) =>
  ({
    'trialSettings.get': ({ serverId }) => servers.get(serverId).read('/trial-settings', undefined, TrialSettings),
    'trialSettings.update': ({ serverId, settings }) => servers.get(serverId).write('PUT', '/trial-settings', settings, TrialSettings),
  }) satisfies Handlers<typeof trialRequests>;
