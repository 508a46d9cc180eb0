import type { searchRequests } from '../../../src-shared/bridge/search.js';
import type { ConsoleState } from '../console-state.js';
import { searchAll } from '../search.js';
import type { Handlers } from './handler.js';

export const searchHandlers = ({ servers, searchLimits }: ConsoleState) =>
  ({
    'search.all': ({ q }) => searchAll(servers.ordered(), q, searchLimits),
  }) satisfies Handlers<typeof searchRequests>;
