// The benchmark's ceiling: a bare Fastify route returning a fixed customer page from memory, serialized
// with the same response schema as the real route. Usage: tsx ceiling-server.ts <page.json>
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { ListOf } from '../../src-shared/api/common.js';
import { Customer } from '../../src-shared/api/customers.js';

const page: unknown = JSON.parse(readFileSync(process.argv[2]!, 'utf8'));
const app = Fastify();
app.get('/page', { schema: { response: { 200: ListOf(Customer) } } }, async () => page);
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(`listening http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
