import { TrialSettings } from '../../src-shared/api/trial.js';
import { requireSession } from './guards.js';
import { ok, type RoutePlugin } from './reply.js';

export const trialRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  api.get('/trial-settings', { schema: { tags: ['trial'], response: ok(TrialSettings) } }, async (req) => s.server.trial(req.principal));
  api.put('/trial-settings', { schema: { tags: ['trial'], body: TrialSettings, response: ok(TrialSettings) } }, async (req) => s.server.updateTrial(req.principal, req.body));
};
