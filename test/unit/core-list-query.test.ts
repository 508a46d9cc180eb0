/**
 * Offline list queries (list-query.ts): a whole cached list answers q/sort/offset/limit the way the server
 * does. The server's own answers for the same queries are compared in core-console-service.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { isWholeList, queryList } from '../../src-main/core/list-query.js';
import { BridgeError } from '../../src-shared/bridge.js';

const customers = {
  items: [
    { id: 'c3', name: 'cedar Dental', mcalsAllotted: null, spaceUsed: 30, active: true },
    { id: 'c1', name: 'Acme Law', mcalsAllotted: 5, spaceUsed: 10, active: false },
    { id: 'c2', name: 'Blue Bakery', mcalsAllotted: 2, spaceUsed: 10, active: true },
    { id: 'c4', name: 'Acme Dental', mcalsAllotted: null, spaceUsed: 5, active: true },
  ],
  total: 4,
};
const ids = (list: { items: { id: string }[] }) => list.items.map((item) => item.id);

describe('queryList', () => {
  it('sorts by the default field case-insensitively and pages with the server default limit', () => {
    expect(ids(queryList('customers', customers))).toEqual(['c4', 'c1', 'c2', 'c3']);
    expect(queryList('customers', customers, { offset: 1, limit: 2 })).toEqual({ items: [customers.items[1], customers.items[2]], total: 4 });
  });

  it('filters by q on the search fields, case-insensitively, and counts the matches', () => {
    const found = queryList('customers', customers, { q: '  DENTAL ' });
    expect(ids(found)).toEqual(['c4', 'c3']);
    expect(found.total).toBe(2);
    const clients = { items: [{ id: 'a', name: 'PC-1', hostname: 'frontdesk.example' }, { id: 'b', name: 'PC-2', hostname: 'nas.example' }], total: 2 };
    expect(ids(queryList('clients', clients, { q: 'FRONT' }))).toEqual(['a']);
  });

  it('sorts descending, breaks ties by id ascending, and puts unlimited (null) above every number', () => {
    expect(ids(queryList('customers', customers, { sort: '-spaceUsed' }))).toEqual(['c3', 'c1', 'c2', 'c4']);
    expect(ids(queryList('customers', customers, { sort: 'mcalsAllotted' }))).toEqual(['c2', 'c1', 'c3', 'c4']);
    expect(ids(queryList('customers', customers, { sort: '-mcalsAllotted' }))).toEqual(['c3', 'c4', 'c1', 'c2']);
    expect(ids(queryList('customers', customers, { sort: 'active' }))).toEqual(['c1', 'c2', 'c3', 'c4']);
  });

  it('orders the audit log by sequence number, newest first', () => {
    const audit = { items: ['9', '10', '100'].map((id) => ({ id, at: '2026-01-01T00:00:00.000Z', objectName: 'x', actor: 'admin', action: 'update' })), total: 3 };
    expect(ids(queryList('auditLog', audit))).toEqual(['100', '10', '9']);
  });

  it('refuses a field the server could not sort by, as the server does', () => {
    expect(() => queryList('customers', customers, { sort: 'password' })).toThrow(BridgeError);
  });

  it('knows a whole list from a page or a filtered answer', () => {
    expect(isWholeList(customers, undefined)).toBe(true);
    expect(isWholeList(customers, { limit: 100, sort: 'name' })).toBe(true);
    expect(isWholeList(customers, { q: 'a' })).toBe(false);
    expect(isWholeList({ items: customers.items.slice(0, 2), total: 4 }, { limit: 2 })).toBe(false);
  });
});
