// 8: retention. A schedule follows the server's default policy (`retention_inherit`, the default in
// settings) or its own (`retention_policy`, JSON RetentionPolicy; kept while inheriting so switching back
// restores it; NULL: none set). Backups the policy keeps are found from the backups alone (restic's
// `forget --keep-*`), so a prune is needed only when a backup commits or the policy changes:
// `prune_due` marks those schedules, and the prune that runs after a commit or in maintenance clears it.
// A schedule whose backup is running keeps its mark until a later run.
export default `
  ALTER TABLE schedules ADD COLUMN retention_inherit INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE schedules ADD COLUMN retention_policy TEXT;
  ALTER TABLE schedules ADD COLUMN prune_due INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX schedules_prune_due ON schedules(prune_due) WHERE prune_due = 1;
  `;
