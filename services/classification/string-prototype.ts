/**
 * Keeps `String.prototype` in V8's fast mode, where the classifier's string methods
 * (`startsWith`, `at`, `indexOf`, `slice`…) are inlined.
 *
 * ioredis 6's RESP3 decoder declares `class VerbatimString extends String`. Making a built-in
 * prototype the parent of a class leaves it in dictionary mode, and every string method call in
 * the process is then a hash lookup that V8 will not inline: `startsWith` ran 4× slower, `at` 2×,
 * and the classifier 15% slower in a process that had loaded ioredis (as every worker has).
 * V8 turns a prototype back into fast mode when a property load through an object that inherits
 * from it is seen often enough to be cached (`JSObject::MakePrototypesFast`); a String wrapper
 * object inherits from String.prototype, and 64 loads is well past the point where V8 starts
 * caching (lazy feedback allocation, about 8 calls). Called when a classifier is built, after
 * every module is loaded; harmless when nothing has slowed the prototype.
 */
export function keepStringPrototypeFast(): void {
  // A String object, not a primitive: only a load through an object makes V8 fast its prototype.
  const wrapper: object = new String('');
  let read: unknown;
  for (let i = 0; i < 64; i++) read = loadStartsWith(wrapper);
  void read;
}

function loadStartsWith(wrapper: object): unknown {
  return (wrapper as { startsWith?: unknown }).startsWith;
}
