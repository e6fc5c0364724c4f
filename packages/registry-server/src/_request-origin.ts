// A request the server makes to itself on behalf of a client (the web UI's login, rollback, ...)
// remembers the client's request, so that what depends on the connection (the client address the
// login limits count) is taken from the client's, not from the in-process one.
const origins = new WeakMap<Request, Request>();

/**
 * Marks `inner` as made on behalf of `outer` (or of what `outer` was made for).
 * @example
 * await handler(onBehalfOf(new Request(url, init), clientRequest));
 */
export function onBehalfOf(inner: Request, outer: Request): Request {
  origins.set(inner, origins.get(outer) ?? outer);
  return inner;
}

/**
 * The client's request behind `req`: itself, unless it was made with {@link onBehalfOf}.
 * @example
 * clientAddress(originalRequest(req));
 */
export const originalRequest = (req: Request): Request => origins.get(req) ?? req;
