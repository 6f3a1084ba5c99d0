/**
 * A prepared statement built once per database handle and shape, then reused: every sync runs these
 * statements, and building their SQL each time cost more CPU than running them. Handles are weak keys,
 * so a closed pool's (or a finished transaction's) statements go with it.
 */
export function preparedPerHandle<H extends object, K, Q>(
  build: (handle: H, shape: K) => Q,
): (handle: H, shape: K) => Q {
  const byHandle = new WeakMap<H, Map<K, Q>>();
  return (handle, shape) => {
    let queries = byHandle.get(handle);
    if (!queries) {
      queries = new Map();
      byHandle.set(handle, queries);
    }
    let query = queries.get(shape);
    if (query === undefined) {
      query = build(handle, shape);
      queries.set(shape, query);
    }
    return query;
  };
}
