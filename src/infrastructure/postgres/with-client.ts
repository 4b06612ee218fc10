import type { Pool, PoolClient } from 'pg';

/**
 * Runs `work` on a client checked out of `pool`. A checked-out client whose server goes away emits
 * 'error', and with no listener that ends the process: this one listens for the whole checkout, and a
 * client that failed is closed instead of going back to the pool.
 */
export async function withClient<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost = error;
  };
  client.on('error', onError);
  try {
    return await work(client);
  } finally {
    // A lost client keeps the listener: its socket may still report the failure after release.
    if (lost === undefined) client.off('error', onError);
    client.release(lost);
  }
}
