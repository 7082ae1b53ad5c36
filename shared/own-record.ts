/**
 * Records keyed by names that arrive in JSON (deployment names, output names, metric keys).
 * `JSON.parse` makes `"__proto__"` an own key, but `out[k] = v` on a `{}` sets the prototype
 * instead and the key is silently gone; a `{}` also answers `constructor` or `toString` from its
 * prototype to a lookup of a name it does not hold. A record without a prototype holds every key
 * as a key and answers only for its own.
 */
export function emptyRecord<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}

/** A prototype-free record of these entries (a later duplicate key wins, as in `Object.fromEntries`). */
export function ownRecord<V>(entries: Iterable<readonly [string, V]>): Record<string, V> {
  const out = emptyRecord<V>();
  for (const [k, v] of entries) out[k] = v;
  return out;
}

/** The value `r` holds itself under `key`, never one inherited from `Object.prototype`. */
export function ownValue<V>(r: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(r, key) ? r[key] : undefined;
}
