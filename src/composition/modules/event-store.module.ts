import { ContainerModule } from 'inversify';
import type { AuditLog } from '../../application/ports/audit-log.port.js';
import type { EventStore } from '../../application/ports/event-store.port.js';
import type { InstallationSecrets } from '../../application/ports/installation-secrets.port.js';
import type { LogLoader } from '../../application/ports/log-loader.port.js';
import type { SubjectKeyStore } from '../../application/ports/subject-key-store.port.js';
import { EventStoreAuditLog } from '../../infrastructure/audit/event-store-audit-log.js';
import { PostgresAuditLog } from '../../infrastructure/audit/postgres-audit-log.js';
import { PostgresLogLoader } from '../../infrastructure/audit/postgres-log-loader.js';
import { PostgresInstallationSecrets } from '../../infrastructure/backup/postgres-installation-secrets.js';
import type { Resources } from '../resources.js';
import { TOKENS } from '../tokens.js';

/** The log, raw and encrypting, and what reads or loads it whole (audit, backup, import). */
export const eventStoreModule = (r: Resources) =>
  new ContainerModule(({ bind }) => {
    const onEventStoreDb = r.config.EVENTSTORE_CONNECTION_STRING !== undefined;
    bind<EventStore>(TOKENS.EventStore).toConstantValue(r.store);
    bind<EventStore>(TOKENS.RawEventStore).toConstantValue(r.rawStore);
    bind<SubjectKeyStore>(TOKENS.SubjectKeys).toConstantValue(r.subjectKeys);
    bind<AuditLog>(TOKENS.AuditLog).toConstantValue(
      onEventStoreDb ? new EventStoreAuditLog(r.rawStore) : new PostgresAuditLog(r.pool),
    );
    // Bulk loading for import and restore exists on PostgreSQL only; elsewhere they append event by event.
    bind<LogLoader | undefined>(TOKENS.LogLoader).toConstantValue(
      onEventStoreDb ? undefined : new PostgresLogLoader(r.pool),
    );
    bind<InstallationSecrets>(TOKENS.Secrets).toConstantValue(new PostgresInstallationSecrets(r.pool));
  });
