import type { RawServerBase } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { ErrorBody } from '../../src-shared/api/common.js';
import type { Services } from '../services.js';

/** One resource's routes over the services; `routes/index.ts` lists every one of them. */
export type RoutePlugin = (services: Services) => FastifyPluginAsyncTypebox<Record<never, never>, RawServerBase>;

/** The response schemas every route shares: each failure is an ErrorBody (API.md, Conventions). */
export const errors = { '4xx': ErrorBody };
export const ok = <T extends TSchema>(schema: T) => ({ 200: schema, ...errors });
export const created = <T extends TSchema>(schema: T) => ({ 201: schema, ...errors });
export const noContent = { 204: Type.Null(), ...errors };
