import type { Component } from 'svelte';
import type { NodeData } from '../state/nodes.js';
import ClientsView from './ClientsView.svelte';
import CustomersView from './CustomersView.svelte';
import ReportView from './ReportView.svelte';
import ResellerView from './ResellerView.svelte';
import SchedulesView from './SchedulesView.svelte';
import ScheduleView from './ScheduleView.svelte';
import ServerView from './ServerView.svelte';

type NodeKind = NodeData['kind'];
/** Each view takes (some of) its tree item's fields as props. */
type NodeViews = { [K in NodeKind]: Component<Omit<Extract<NodeData, { kind: K }>, 'kind'>> };

/** The view of each kind of tree item: kind → component. */
export const NODE_VIEWS = {
  server: ServerView,
  reseller: ResellerView,
  customers: CustomersView,
  customer: ClientsView,
  client: SchedulesView,
  schedule: ScheduleView,
  report: ReportView,
} satisfies NodeViews;
