// The PostgreSQL pool, transactions with retry on deadlocks, and the constants every store process must agree on.
import pg, { type PoolClient, type QueryResultRow } from 'pg';

/** Anything that runs a query: the pool (one statement, its own snapshot) or a transaction's client. */
export interface Queryable {
  query<Row extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<Row>>;
}

/** Pool size when the caller does not choose one. */
export const defaultPoolSize = 10;

/** The channel writes that add or free work notify on (see `watchForWork`). */
export const workChannel = 'nano_imagine_work';

/**
 * Advisory lock keys, as (namespace, key) pairs: the namespace is "nano" in ASCII so that other
 * applications' advisory locks on a shared server are unlikely to collide with ours.
 */
const lockNamespace = 0x6e616e6f;
/** Held while migrations are checked and applied. */
export const migrationLock = [lockNamespace, 1] as const;
/** Held by each claim pass, so that passes of all processes run one at a time. */
export const claimLock = [lockNamespace, 2] as const;
/** Held by each cancel while it records itself, so cancels commit in the order of their ids (see `watchForCancels`). */
export const cancelLock = [lockNamespace, 3] as const;

/** SQL that takes one of the lock pairs above until the transaction ends. */
export function transactionLockSql(lock: readonly [number, number]): string {
  return `SELECT pg_advisory_xact_lock(${lock[0]}, ${lock[1]})`;
}

// Times are milliseconds in bigint columns and sums of integers are bigint or numeric; pg returns those as
// strings by default (they may exceed 2^53). Ours never do, so they are parsed to numbers on this pool only.
const typeParsers = new pg.TypeOverrides();
const int8Oid = 20;
const numericOid = 1700;
typeParsers.setTypeParser(int8Oid, Number);
typeParsers.setTypeParser(numericOid, Number);

/** Connection settings shared by the pool and the work listener's dedicated client. */
export function connectionConfig(connectionString: string): pg.ClientConfig {
  return { connectionString, types: typeParsers, application_name: 'nano-imagine' };
}

/** Opens a pool of up to `size` connections. */
export function createPool(connectionString: string, size = defaultPoolSize): pg.Pool {
  const pool = new pg.Pool({ ...connectionConfig(connectionString), max: size });
  // An idle connection the server drops emits 'error' on the pool; unhandled, that would crash the process.
  // The pool discards that connection and the next query opens a new one, so there is nothing else to do.
  pool.on('error', () => {});
  return pool;
}

/** SQLSTATEs after which the whole transaction can simply run again: serialization failure, deadlock. */
const retryableStates: ReadonlySet<string> = new Set(['40001', '40P01']);

/** How often a transaction is tried before its serialization failure or deadlock is reported. */
const maxAttempts = 5;

/** The SQLSTATE of a database error, if `error` is one. */
export function sqlState(error: unknown): string | undefined {
  return error instanceof pg.DatabaseError ? error.code : undefined;
}

/**
 * Runs `work` in one transaction on one pooled connection (BEGIN … COMMIT, ROLLBACK when it throws)
 * and returns its result. A deadlock or serialization failure reruns the whole of `work`, so it must
 * do nothing outside the database that cannot be repeated.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: PoolClient) => Promise<T>,
  isolation: 'READ COMMITTED' | 'REPEATABLE READ' = 'READ COMMITTED',
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(`BEGIN ISOLATION LEVEL ${isolation}`);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection is unusable (the server or network went away): the pool must not hand it out again.
        broken = rollbackError as Error;
      }
      const state = sqlState(error);
      if (attempt >= maxAttempts || state === undefined || !retryableStates.has(state)) throw error;
    } finally {
      client.release(broken);
    }
    // A short random pause so the transactions that collided do not collide again in lockstep.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
  }
}
