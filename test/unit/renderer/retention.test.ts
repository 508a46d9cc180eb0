import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, test } from 'vitest';
import { KEEP_EVERYTHING, type BackupVersion, type RetentionPolicy, type ScheduleRetention } from '../../../src-shared/api/retention.js';
import { BridgeError } from '../../../src-shared/bridge.js';
import { formatBytes, formatDateTime } from '../../../src-renderer/lib/format.js';
import { appContext } from '../../../src-renderer/state/app.svelte.js';
import { describePolicy, describePreview, PREVIEW_DELAY_MS } from '../../../src-renderer/state/retention.svelte.js';
import ScheduleView from '../../../src-renderer/views/ScheduleView.svelte';
import ServerView from '../../../src-renderer/views/ServerView.svelte';
import type { FakeBridge } from './fake-bridge.js';
import { bodyRows, cellTexts, settle, startedApp } from './helpers.js';

const GiB = 2 ** 30;
const DEFAULTS: RetentionPolicy = { ...KEEP_EVERYTHING, keepDaily: 30, keepMonthly: 12 };

/** The retention channels over one schedule of 90 backups: each policy's preview keeps `keepLast` or 42. */
function retention(b: FakeBridge, own: ScheduleRetention = { inherit: true, policy: KEEP_EVERYTHING, effective: DEFAULTS }) {
  const state = { defaults: DEFAULTS, own };
  b.answer('retention.defaults.get', () => ({ data: state.defaults, asOf: b.offlineAsOf }));
  b.answer('retention.defaults.set', ({ policy }) => (state.defaults = policy));
  b.answer('retention.schedule.get', () => ({ data: state.own, asOf: b.offlineAsOf }));
  b.answer('retention.schedule.set', ({ retention: r }) => {
    const policy = r.policy ?? state.own.policy;
    return (state.own = { inherit: r.inherit, policy, effective: r.inherit ? state.defaults : policy });
  });
  b.answer('retention.preview', ({ policy }) => {
    const kept = policy.keepLast ?? 42;
    return { kept, removed: 90 - kept, bytesFreed: (90 - kept) * GiB };
  });
  return state;
}

const renderSchedule = (app: Awaited<ReturnType<typeof startedApp>>['app'], b: FakeBridge) =>
  render(ScheduleView, { props: { serverId: 'srv1', client: b.clients[0]!, schedule: b.schedules[0]! }, context: appContext(app) });

/** Waits out the preview's debounce and lets the answer arrive. */
async function previewed() {
  await new Promise((resolve) => setTimeout(resolve, PREVIEW_DELAY_MS + 50));
  await settle();
}

afterEach(() => cleanup());

describe('wording', () => {
  test('a policy and a preview in words', () => {
    expect(describePolicy(KEEP_EVERYTHING)).toBe('keeps every backup');
    expect(describePolicy({ ...KEEP_EVERYTHING, keepLast: 0, keepDaily: 30, keepMonthly: 12 })).toBe('keeps 30 daily, 12 monthly');
    expect(describePreview({ kept: 14, removed: 76, bytesFreed: 3.5 * GiB })).toBe('Keeps 14 of 90 backups, frees about 3.5 GiB.');
    expect(describePreview({ kept: 1, removed: 0, bytesFreed: 0 })).toBe('Keeps all 1 backup; nothing is pruned.');
  });
});

describe('Retention of a schedule', () => {
  test('inherits the default with its preview; an own policy is previewed as it is typed, then saved', async () => {
    let bridge!: FakeBridge;
    const { app } = await startedApp((b) => {
      bridge = b;
      retention(b);
    });
    renderSchedule(app, bridge);
    await fireEvent.click(screen.getByRole('tab', { name: 'Retention' }));
    await settle();
    const inherit = screen.getByRole('radio', { name: /Server default/ }) as HTMLInputElement;
    expect(inherit.checked).toBe(true);
    expect(inherit.parentElement?.textContent).toContain('(keeps 30 daily, 12 monthly)');
    // Inheriting: the rules are off, and the preview is the default's.
    expect((screen.getByRole('textbox', { name: 'Keep last' }) as HTMLInputElement).matches(':disabled')).toBe(true);
    await previewed();
    expect(bridge.callsOf('retention.preview')).toEqual([{ serverId: 'srv1', id: 's1', policy: DEFAULTS }]);
    expect(screen.getByText(`Keeps 42 of 90 backups, frees about ${formatBytes(48 * GiB)}.`)).toBeTruthy();

    await fireEvent.click(screen.getByRole('radio', { name: 'Own policy' }));
    const last = screen.getByRole('textbox', { name: 'Keep last' });
    for (const text of ['1', '14']) await fireEvent.input(last, { target: { value: text } });
    await fireEvent.input(screen.getByRole('textbox', { name: 'Weekly' }), { target: { value: '8' } });
    await previewed();
    const own: RetentionPolicy = { ...KEEP_EVERYTHING, keepLast: 14, keepWeekly: 8 };
    // One request once typing rests, not one per key.
    expect(bridge.callsOf('retention.preview')).toEqual([{ serverId: 'srv1', id: 's1', policy: DEFAULTS }, { serverId: 'srv1', id: 's1', policy: own }]);
    expect(screen.getByText(`Keeps 14 of 90 backups, frees about ${formatBytes(76 * GiB)}.`)).toBeTruthy();

    await fireEvent.click(screen.getByRole('button', { name: 'Save Retention' }));
    await settle();
    expect(bridge.callsOf('retention.schedule.set')).toEqual([{ serverId: 'srv1', id: 's1', retention: { inherit: false, policy: own } }]);
    expect(app.notices.list.at(-1)?.text).toBe('Retention of Documents saved: it keeps 14 latest, 8 weekly. It takes effect at the next prune.');

    // Back to the default: the own rules are not sent (the server keeps them for later).
    await fireEvent.click(screen.getByRole('radio', { name: /Server default/ }));
    await fireEvent.click(screen.getByRole('button', { name: 'Save Retention' }));
    await settle();
    expect(bridge.callsOf('retention.schedule.set').at(-1)).toEqual({ serverId: 'srv1', id: 's1', retention: { inherit: true } });
    expect((screen.getByRole('textbox', { name: 'Keep last' }) as HTMLInputElement).value).toBe('14');
  });

  test('a bad number is refused before sending; a refusal naming a rule marks its input; offline is read-only', async () => {
    let bridge!: FakeBridge;
    const { app } = await startedApp((b) => {
      bridge = b;
      retention(b, { inherit: false, policy: { ...KEEP_EVERYTHING, keepDaily: 7 }, effective: { ...KEEP_EVERYTHING, keepDaily: 7 } });
    });
    renderSchedule(app, bridge);
    await fireEvent.click(screen.getByRole('tab', { name: 'Retention' }));
    await settle();
    const daily = screen.getByRole('textbox', { name: 'Daily' }) as HTMLInputElement;
    expect(daily.value).toBe('7');
    await fireEvent.input(daily, { target: { value: '1.5' } });
    expect(screen.getByText('Enter valid numbers to see what this policy would keep.')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Save Retention' }));
    await settle();
    expect(screen.getByText('Enter a whole number (or leave it empty).')).toBeTruthy();
    expect(daily.getAttribute('aria-invalid')).toBe('true');
    expect(bridge.callsOf('retention.schedule.set')).toEqual([]);

    await fireEvent.input(daily, { target: { value: '30' } });
    bridge.failNext.set('retention.schedule.set', new BridgeError('BAD_REQUEST', 'policy.keepDaily: must be at most 100000.', { field: 'policy.keepDaily' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Save Retention' }));
    await settle();
    expect(daily.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText(/must be at most 100000/i)).toBeTruthy();
    cleanup();

    const offline = await startedApp((b) => {
      bridge = b;
      retention(b);
      b.offlineAsOf = '2026-12-01T08:00:00.000Z';
    });
    renderSchedule(offline.app, bridge);
    await fireEvent.click(screen.getByRole('tab', { name: 'Retention' }));
    await settle();
    expect(screen.getByText(/Retention cannot be changed or previewed until the server can be reached/)).toBeTruthy();
    expect(screen.getByText('The preview needs the server.')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Save Retention' }) as HTMLButtonElement).disabled).toBe(true);
    await previewed();
    expect(bridge.callsOf('retention.preview')).toEqual([]);
  });

  test('the versions, newest first, with time, status, files and size; retention removals in the deleted report', async () => {
    const version = (id: string, startedAt: string, over: Partial<BackupVersion> = {}): BackupVersion => ({
      id,
      startedAt,
      finishedAt: startedAt.replace(':00:00', ':05:00'),
      status: 'success',
      files: 1200,
      bytes: 5 * GiB,
      ...over,
    });
    let bridge!: FakeBridge;
    const { app } = await startedApp((b) => {
      bridge = b;
      const versions = [version('bk-2', '2026-12-05T02:00:00.000Z', { status: 'partial', files: 1190 }), version('bk-1', '2026-12-04T02:00:00.000Z')];
      b.answer('retention.versions', () => ({ data: { items: versions, total: versions.length }, asOf: null }));
      b.deletedReports = [
        { id: 'd2', deletedAt: '2026-12-05T02:06:00.000Z', deletedBy: 'retention', kind: 'backup', clientName: 'Laptop-1', scheduleName: 'Documents', bytes: 2 * GiB, reason: 'retention' },
      ];
    });
    renderSchedule(app, bridge);
    await fireEvent.click(screen.getByRole('tab', { name: 'Versions' }));
    await settle();
    expect(bridge.callsOf('retention.versions')[0]).toMatchObject({ serverId: 'srv1', id: 's1', query: { sort: '-startedAt' } });
    const rows = bodyRows(screen.getByRole('table', { name: 'Versions of Documents' })).map(cellTexts);
    expect(rows.map((r) => r.slice(0, 5))).toEqual([
      [formatDateTime('2026-12-05T02:00:00.000Z', true), '5 min 0 s', 'partial', '1,190', '5 GiB'],
      [formatDateTime('2026-12-04T02:00:00.000Z', true), '5 min 0 s', 'success', '1,200', '5 GiB'],
    ]);

    await fireEvent.click(screen.getByRole('tab', { name: 'Deleted Reports' }));
    await settle();
    const [row] = bodyRows(screen.getByRole('table', { name: 'Deleted Reports' })).map(cellTexts);
    expect(row).toEqual([formatDateTime('2026-12-05T02:06:00.000Z', true), 'backup', 'Laptop-1', 'Documents', '2 GiB', 'retention', 'Retention policy']);
  });
});

describe('Default retention (the server node)', () => {
  test('an administrator edits and saves it; a reseller reads it', async () => {
    let bridge!: FakeBridge;
    const { app } = await startedApp((b) => {
      bridge = b;
      retention(b);
    });
    render(ServerView, { props: { serverId: 'srv1' }, context: appContext(app) });
    await settle();
    const section = screen.getByRole('region', { name: 'Default Retention' });
    const monthly = within(section).getByRole('textbox', { name: 'Monthly' }) as HTMLInputElement;
    expect(monthly.value).toBe('12');
    await fireEvent.input(monthly, { target: { value: '' } });
    await fireEvent.input(within(section).getByRole('textbox', { name: 'Yearly' }), { target: { value: '5' } });
    await fireEvent.click(within(section).getByRole('button', { name: 'Save Default Retention' }));
    await settle();
    expect(bridge.callsOf('retention.defaults.set')).toEqual([{ serverId: 'srv1', policy: { ...KEEP_EVERYTHING, keepDaily: 30, keepYearly: 5 } }]);
    expect(app.notices.list.at(-1)?.text).toBe('Default retention saved: it keeps 30 daily, 5 yearly. Schedules that inherit it follow at their next prune.');
    cleanup();

    const reseller = await startedApp((b) => {
      retention(b);
      b.servers = b.servers.map((s) => ({ ...s, role: 'reseller', resellerId: 'r1' }));
    });
    render(ServerView, { props: { serverId: 'srv1' }, context: appContext(reseller.app) });
    await settle();
    const save = screen.getByRole('button', { name: 'Save Default Retention' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    expect(save.title).toBe('Only a server administrator can change the default retention.');
    expect((screen.getByRole('textbox', { name: 'Daily' }) as HTMLInputElement).matches(':disabled')).toBe(true);
  });
});
