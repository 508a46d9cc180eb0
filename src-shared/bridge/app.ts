/** The console itself: what it is and where it runs, and the user's layout and preferences. */
import { Type, type Static } from 'typebox';
import { Nullable } from '../api/common.js';
import { Arg, Done, NoArg, type RequestSpecs } from './request.js';

export const AppInfo = Type.Object({
  version: Type.String(),
  keychain: Type.Union([Type.Literal('keychain'), Type.Literal('memory'), Type.Literal('unavailable')]),
  keychainProblem: Nullable(Type.String()),
  demo: Type.Boolean(),
  host: Type.Union([Type.Literal('electron'), Type.Literal('browser')]),
  platform: Type.String(),
});
export type AppInfo = Static<typeof AppInfo>;

const SettingKey = Type.String({ minLength: 1, maxLength: 200 });

export const appRequests = {
  'app.info': { arg: NoArg, result: AppInfo },
  /** The user's "this session only": passwords kept in memory when there is no keychain. */
  'app.useMemoryVault': { arg: NoArg, result: AppInfo },
  'settings.get': { arg: Arg({ key: SettingKey }), result: Type.Unknown() },
  'settings.set': { arg: Arg({ key: SettingKey, value: Type.Unknown() }), result: Done },
} satisfies RequestSpecs;
