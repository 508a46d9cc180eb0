import { Type, type Static } from 'typebox';
import { Name } from './common.js';
import { Client } from './clients.js';

/** POST /agent/register: exactly one of key, customer or trial says how the machine joins. */
export const AgentRegister = Type.Object(
  {
    name: Name,
    hostname: Type.Optional(Type.String({ maxLength: 255 })),
    os: Type.Optional(Type.String({ maxLength: 100 })),
    key: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    customer: Type.Optional(Name),
    trial: Type.Optional(Type.Literal(true)),
  },
  { additionalProperties: false },
);
export type AgentRegister = Static<typeof AgentRegister>;

export const AgentRegistered = Type.Object({ token: Type.String(), client: Client });
export type AgentRegistered = Static<typeof AgentRegistered>;
