// @peculiar/x509 loads tsyringe, which refuses to start without the Reflect metadata API. These are
// the three functions it calls, kept here rather than adding the reflect-metadata package. Must be
// imported before @peculiar/x509.
const store = new WeakMap<object, Map<unknown, unknown>>();
const reflect = Reflect as unknown as Record<string, unknown>;

if (typeof reflect.getMetadata !== "function") {
  const own = (target: object, key: unknown): unknown => store.get(target)?.get(key);
  reflect.defineMetadata = (key: unknown, value: unknown, target: object): void => {
    let map = store.get(target);
    if (map === undefined) {
      map = new Map();
      store.set(target, map);
    }
    map.set(key, value);
  };
  reflect.getOwnMetadata = (key: unknown, target: object): unknown => own(target, key);
  reflect.getMetadata = (key: unknown, target: object): unknown => {
    for (let current: object | null = target; current !== null; current = Object.getPrototypeOf(current)) {
      const value = own(current, key);
      if (value !== undefined) return value;
    }
    return undefined;
  };
}

export {};
