// 4: a manifest may be a delta against an earlier backup of its schedule (see dataplane/manifests.ts):
// `base_id` is that backup, `depth` the number of deltas down to a whole manifest (0: this one is).
export default `
  ALTER TABLE manifests ADD COLUMN base_id TEXT REFERENCES backups(id);
  ALTER TABLE manifests ADD COLUMN depth INTEGER NOT NULL DEFAULT 0;
  `;
