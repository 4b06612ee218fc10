import { expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/infrastructure/config/config.js';

const startWith = (value: string) => () => loadConfig({ EVENTSTORE_CONNECTION_STRING: value });

it('accepts the EventStoreDB connection strings its client accepts', () => {
  expect(startWith('esdb://eventstore:2113?tls=false')().EVENTSTORE_CONNECTION_STRING).toBe(
    'esdb://eventstore:2113?tls=false',
  );
  expect(startWith('esdb+discover://a:2113,b:2113?tls=false')).not.toThrow();
});

it.each([
  'kurrentdb://eventstore:2113', // the successor client's scheme: this client refuses it
  'esdb://eventstore:port',
  'http://eventstore:2113',
])('refuses %s at start-up, naming the setting', (value) => {
  expect(startWith(value)).toThrow(ConfigError);
  expect(startWith(value)).toThrow(
    /EVENTSTORE_CONNECTION_STRING: not a connection string the EventStoreDB client accepts/,
  );
});
