/**
 * The SQLite schema, as numbered migrations. `PRAGMA user_version` records how many have run;
 * each runs once, in its own transaction. Append new migrations; never edit a shipped one.
 * Migration n is entry n − 1: the list has no gaps (a number taken on another branch is held by
 * a placeholder until that branch is merged, and then replaced by its migration).
 */
export const MIGRATIONS: readonly string[] = [
  // 1: events, rooms, members, offences, decisions, actions, meta
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE events (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    room TEXT,
    ts TEXT NOT NULL,
    ts_ms INTEGER NOT NULL,
    json TEXT NOT NULL
  );
  CREATE INDEX events_room_ts ON events (room, ts_ms);
  CREATE TABLE rooms (
    room TEXT PRIMARY KEY,
    topic TEXT NOT NULL,
    owner TEXT,
    admins TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE members (
    room TEXT NOT NULL,
    member TEXT NOT NULL,
    name TEXT,
    joined_at TEXT,
    inviter TEXT,
    via TEXT NOT NULL,
    left_at TEXT,
    remover TEXT,
    PRIMARY KEY (room, member)
  );
  CREATE TABLE offences (
    id INTEGER PRIMARY KEY,
    room TEXT NOT NULL,
    member TEXT NOT NULL,
    rule TEXT NOT NULL,
    event TEXT NOT NULL REFERENCES events (id),
    ts_ms INTEGER NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('active', 'shadow'))
  );
  CREATE INDEX offences_member ON offences (room, member, mode, ts_ms);
  CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    event TEXT NOT NULL REFERENCES events (id),
    room TEXT NOT NULL,
    target TEXT NOT NULL,
    action TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('active', 'shadow')),
    rule TEXT NOT NULL,
    score REAL NOT NULL,
    reason TEXT NOT NULL,
    ts TEXT NOT NULL
  );
  CREATE INDEX decisions_event ON decisions (event);
  CREATE INDEX decisions_room ON decisions (room, id);
  CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    decision_id INTEGER NOT NULL REFERENCES decisions (id),
    status TEXT NOT NULL CHECK (status IN ('done', 'fallback', 'failed')),
    detail TEXT NOT NULL,
    ts TEXT NOT NULL
  );
  CREATE INDEX actions_decision ON actions (decision_id);
  `,
  // 2: what each decision sends, so that a redelivered event re-sends it (JSON)
  `ALTER TABLE decisions ADD COLUMN outgoing TEXT;`,
  // 3: supervision — numbered approval requests, rules' lifecycle records, owners' room switches
  `
  CREATE TABLE approvals (
    owner TEXT NOT NULL,
    number INTEGER NOT NULL,
    room TEXT NOT NULL,
    rule TEXT NOT NULL,
    decision_id INTEGER NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('open', 'approved', 'rejected', 'expired')),
    deadline_ms INTEGER NOT NULL,
    answered_at TEXT,
    notified_at TEXT,
    json TEXT NOT NULL,
    PRIMARY KEY (owner, number)
  );
  CREATE INDEX approvals_open ON approvals (status, deadline_ms);
  CREATE INDEX approvals_rule ON approvals (room, rule);
  CREATE TABLE approval_counters (owner TEXT PRIMARY KEY, n INTEGER NOT NULL);
  CREATE TABLE supervised_rules (room TEXT NOT NULL, rule TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (room, rule));
  CREATE TABLE room_overrides (room TEXT PRIMARY KEY, json TEXT NOT NULL);
  `,
  // 4: the inbox — events received but not judged yet that did not fit in memory (spilled), in order per lane
  `
  CREATE TABLE inbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, lane TEXT NOT NULL, json TEXT NOT NULL);
  CREATE INDEX inbox_lane ON inbox (lane, seq);
  `,
  // 5: whether each offence counts on the member's ladder (silent steps do not; docs/rules.md).
  // Offences stored before counted, as the guard then counted every one.
  `ALTER TABLE offences ADD COLUMN counted INTEGER NOT NULL DEFAULT 1 CHECK (counted IN (0, 1));`,
  // 6: supervision's pacing per owner (requests sent, digest due, report sent) and each room's counts per day
  `
  CREATE TABLE owner_pacing (owner TEXT PRIMARY KEY, json TEXT NOT NULL);
  CREATE TABLE day_counts (day TEXT NOT NULL, room TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (day, room));
  `,
  // 7: what the learned rules remember between messages: members' activity, rooms' rhythm, text sightings (campaigns)
  `
  CREATE TABLE member_activity (room TEXT NOT NULL, member TEXT NOT NULL, json TEXT NOT NULL, expires_ms INTEGER NOT NULL, PRIMARY KEY (room, member));
  CREATE INDEX member_activity_expiry ON member_activity (expires_ms);
  CREATE TABLE room_rhythm (room TEXT PRIMARY KEY, json TEXT NOT NULL);
  CREATE TABLE sightings (band TEXT NOT NULL, ms INTEGER NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL, expires_ms INTEGER NOT NULL, PRIMARY KEY (band, ms, id));
  CREATE INDEX sightings_expiry ON sightings (expires_ms);
  `,
  // 8: what was read from each room's latest pictures, for a few minutes (识别, 评分)
  `
  CREATE TABLE recent_pictures (room TEXT NOT NULL, id TEXT NOT NULL, ms INTEGER NOT NULL, json TEXT NOT NULL, expires_ms INTEGER NOT NULL, PRIMARY KEY (room, id));
  CREATE INDEX recent_pictures_time ON recent_pictures (room, ms);
  `,
  // 9: each owner's cross-group blacklist
  `
  CREATE TABLE blacklist (owner TEXT NOT NULL, member TEXT NOT NULL, ts_ms INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (owner, member));
  `,
  // 10: members' reports (举报) of one another, one per reporter and reported member
  `
  CREATE TABLE reports (room TEXT NOT NULL, target TEXT NOT NULL, reporter TEXT NOT NULL, ms INTEGER NOT NULL, json TEXT NOT NULL, expires_ms INTEGER NOT NULL, PRIMARY KEY (room, target, reporter));
  CREATE INDEX reports_expiry ON reports (expires_ms);
  `,
  // 11: newcomers asked to verify, until they answer or the guard acts on the timeout
  `
  CREATE TABLE verifications (room TEXT NOT NULL, member TEXT NOT NULL, event TEXT NOT NULL, until_ms INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (room, member));
  CREATE INDEX verifications_due ON verifications (until_ms);
  `,
  // 12: each room's group announcement as last set (welcome and 群规 quote its rules)
  `ALTER TABLE rooms ADD COLUMN announcement TEXT;`,
  // 13: the bot accounts guarding from this store, with their last heartbeat (the bot registry)
  `CREATE TABLE bots (bot TEXT PRIMARY KEY, last_beat TEXT NOT NULL, json TEXT NOT NULL);`,
  // 14: each group's days summarised for the console's analytics, and the day they are complete through
  `
  CREATE TABLE analytics_days (room TEXT NOT NULL, day TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (room, day));
  CREATE TABLE analytics_rooms (room TEXT PRIMARY KEY, through TEXT NOT NULL);
  `,
]
