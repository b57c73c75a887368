/**
 * Breaking a connection on purpose (fault injection). On the Node server the request's source is an
 * `IncomingMessage` whose socket can be destroyed; in process there is no socket and failing the body
 * stream is enough.
 *
 * @since 0.1.0
 */

interface Destroyable {
  readonly destroy: () => void
}

const isDestroyable = (u: unknown): u is Destroyable =>
  typeof u === "object" && u !== null && "destroy" in u && typeof u.destroy === "function"

/** @internal */
export const destroySocket = (source: unknown): void => {
  if (typeof source === "object" && source !== null && "socket" in source && isDestroyable(source.socket)) {
    source.socket.destroy()
  }
}
