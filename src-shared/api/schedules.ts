import { Type, type Static } from 'typebox';
import { Bytes, Id, ListOf, Nullable, Timestamp } from './common.js';
import { folded, listSpec, plain } from './list-spec.js';
import { BackupStatus } from './clients.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const Weekday = Type.Union([
  Type.Literal('mon'),
  Type.Literal('tue'),
  Type.Literal('wed'),
  Type.Literal('thu'),
  Type.Literal('fri'),
  Type.Literal('sat'),
  Type.Literal('sun'),
]);
export type Weekday = Static<typeof Weekday>;

/** A UTC wall-clock time "HH:MM", 00:00 to 23:59. */
export const TIME_OF_DAY = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

/** `at` is a UTC wall-clock time "HH:MM"; `days` applies to weekly schedules. */
export const Frequency = Type.Object(
  {
    kind: Type.Union([Type.Literal('manual'), Type.Literal('hourly'), Type.Literal('daily'), Type.Literal('weekly')]),
    at: Type.Optional(Type.String({ pattern: TIME_OF_DAY.source })),
    days: Type.Optional(Type.Array(Weekday, { minItems: 1, maxItems: 7, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type Frequency = Static<typeof Frequency>;

export const Schedule = Type.Object({
  id: Id,
  clientId: Id,
  name: Type.String(),
  sources: Type.Array(Type.String()),
  frequency: Frequency,
  enabled: Type.Boolean(),
  lastRunAt: Nullable(Timestamp),
  lastStatus: Nullable(BackupStatus),
  nextRunAt: Nullable(Timestamp),
  spaceUsed: Bytes,
});
export type Schedule = Static<typeof Schedule>;

export const SchedulePatch = Type.Object(
  { enabled: Type.Optional(Type.Boolean()), frequency: Type.Optional(Frequency) },
  { additionalProperties: false, minProperties: 1 },
);
export type SchedulePatch = Static<typeof SchedulePatch>;

export const ScheduleList = ListOf(Schedule);
export const SCHEDULE_LIST = listSpec(ScheduleList, {
  sortable: { name: folded, enabled: plain, lastRunAt: plain, lastStatus: plain, nextRunAt: plain, spaceUsed: plain },
  search: ['name'],
  defaultSort: 'name',
});
