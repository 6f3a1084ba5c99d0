const isObject = (value: unknown): value is object => typeof value === "object" && value !== null;

/**
 * What a handle's statements can be shared by: its drizzle instance (its dialect, which every
 * transaction of the instance carries too) and the connection it runs them on (node-postgres's pool, or
 * a transaction's pooled client). Transaction handles are new each time but their clients come back
 * from the pool, so statements built in one transaction serve every later one of the same instance on
 * that connection, inside that transaction. A handle without both is its own key.
 */
function keysOf(handle: object): [object, object] {
  const { dialect, session } = handle as { dialect?: unknown; session?: { client?: unknown } };
  const client = session?.client;
  return isObject(dialect) && isObject(client) ? [dialect, client] : [handle, handle];
}

/**
 * A prepared statement built once per drizzle instance, connection (see keysOf) and shape, then reused:
 * every sync runs these statements, and building their SQL each time cost more CPU than running them.
 * Keys are weak, so a closed pool's statements go with it.
 */
export function preparedPerHandle<H extends object, K, Q>(
  build: (handle: H, shape: K) => Q,
): (handle: H, shape: K) => Q {
  const byInstance = new WeakMap<object, WeakMap<object, Map<K, Q>>>();
  return (handle, shape) => {
    const [instance, connection] = keysOf(handle);
    let byConnection = byInstance.get(instance);
    if (!byConnection) {
      byConnection = new WeakMap();
      byInstance.set(instance, byConnection);
    }
    let queries = byConnection.get(connection);
    if (!queries) {
      queries = new Map();
      byConnection.set(connection, queries);
    }
    let query = queries.get(shape);
    if (query === undefined) {
      query = build(handle, shape);
      queries.set(shape, query);
    }
    return query;
  };
}
