import { TrialSettings } from '../../src-shared/api/trial.js';
import { requireSession } from './guards.js';
import { openapi } from './openapi.js';
import { ok, type RoutePlugin } from './reply.js';

export const trialRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  const doc = openapi('trial', 'session');
  api.get(
    '/trial-settings',
    { schema: doc.get({ operationId: 'getTrialSettings', description: 'What a trial client may store (spaceBytes), for how many days, and how long after expiry its data is kept (administrator only).', response: ok(TrialSettings), refuses: [403] }) },
    async (req) => s.server.trial(req.principal),
  );
  api.put(
    '/trial-settings',
    { schema: doc.put({ operationId: 'updateTrialSettings', description: 'Replaces the trial settings (administrator only); they apply to trial clients registered from now on.', body: TrialSettings, response: ok(TrialSettings), refuses: [403] }) },
    async (req) => s.server.updateTrial(req.principal, req.body),
  );
};
