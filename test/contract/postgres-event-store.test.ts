import { afterAll } from 'vitest';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { testDatabase } from '../support/postgres.js';
import { eventStoreContract } from './event-store.contract.js';

const db = await testDatabase();
const store = new PostgresEventStore(db.pool);
afterAll(() => store.close());

eventStoreContract('postgresql', async () => store);
