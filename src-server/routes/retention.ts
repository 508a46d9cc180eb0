import { IdParams } from '../../src-shared/api/common.js';
import {
  BACKUP_VERSION_LIST,
  BackupVersionList,
  RetentionPolicy,
  RetentionPreview,
  RetentionPreviewInput,
  ScheduleRetention,
  ScheduleRetentionInput,
} from '../../src-shared/api/retention.js';
import { requireSession } from './guards.js';
import { openapi } from './openapi.js';
import { ok, type RoutePlugin } from './reply.js';

const RULES = 'keepLast, keepDaily, keepWeekly, keepMonthly, keepYearly: integers 0–100000 or null (null and 0 keep nothing; all of them null/0 keeps everything)';

/** Retention and backup versions (API.md): the default policy, each schedule's own, previews and the kept versions. */
export const retentionRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  const doc = openapi('retention', 'session');
  const { config, pruner } = s.retention;
  api.get(
    '/retention-defaults',
    {
      schema: doc.get({
        operationId: 'getRetentionDefaults',
        description: 'The retention policy of every schedule that inherits; keeps everything until the administrator sets one.',
        response: ok(RetentionPolicy),
      }),
    },
    async () => config.defaults(),
  );
  api.put(
    '/retention-defaults',
    {
      schema: doc.put({
        operationId: 'updateRetentionDefaults',
        description: `Replaces the default policy (administrator; a reseller is a 403). ${RULES}; a bad value is a 400 naming the field. Every inheriting schedule applies it at its next prune.`,
        body: RetentionPolicy,
        response: ok(RetentionPolicy),
        refuses: [403],
      }),
    },
    async (req) => config.setDefaults(req.principal, req.body),
  );
  api.get(
    '/schedules/:id/retention',
    {
      schema: doc.get({
        operationId: 'getScheduleRetention',
        description: "Whether the schedule inherits the default policy, its own policy (kept while inheriting; keep everything when never set) and the policy its next prune applies.",
        params: IdParams,
        response: ok(ScheduleRetention),
      }),
    },
    async (req) => config.get(req.principal, req.params.id),
  );
  api.put(
    '/schedules/:id/retention',
    {
      schema: doc.put({
        operationId: 'updateScheduleRetention',
        description: `Makes the schedule inherit the default, or follow its own policy (then \`policy\` is required: 400 naming it; while inheriting it is ignored and the stored one kept). ${RULES}. It applies at the next prune. A replica's or a moved client's schedule is a 409.`,
        params: IdParams,
        body: ScheduleRetentionInput,
        response: ok(ScheduleRetention),
        refuses: [409],
      }),
    },
    async (req) => config.put(req.principal, req.params.id, req.body),
  );
  api.post(
    '/schedules/:id/retention/preview',
    {
      schema: doc.post({
        operationId: 'previewScheduleRetention',
        description: 'What pruning the schedule with `policy` would do now: the versions kept and removed and the stored bytes freed (chunks only the removed versions use). Nothing is written.',
        params: IdParams,
        body: RetentionPreviewInput,
        response: ok(RetentionPreview),
      }),
    },
    async (req) => {
      s.schedules.row(req.principal, req.params.id);
      return pruner.preview(req.params.id, req.body.policy);
    },
  );
  api.get(
    '/schedules/:id/backups',
    {
      schema: doc.get({
        operationId: 'listBackupVersions',
        description: "The schedule's kept backup versions, newest first by default: each one's run times and status (success or partial), its files and logical size as backed up; `q` searches the status.",
        params: IdParams,
        querystring: BACKUP_VERSION_LIST.query,
        response: ok(BackupVersionList),
      }),
    },
    async (req) => config.versions(req.principal, req.params.id, req.query),
  );
};
