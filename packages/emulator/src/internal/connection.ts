/**
 * Breaking a connection on purpose (fault injection). On the Node server the request's source is an
 * `IncomingMessage` whose socket is ended once the bytes already written are flushed, so the client
 * sees the stream stop without the final chunk; in process there is no socket and failing the body
 * stream is enough.
 *
 * @since 0.1.0
 */

interface Endable {
  readonly destroySoon: () => void
}

const isEndable = (u: unknown): u is Endable =>
  typeof u === "object" && u !== null && "destroySoon" in u && typeof u.destroySoon === "function"

/** @internal */
export const breakConnection = (source: unknown): void => {
  if (typeof source === "object" && source !== null && "socket" in source && isEndable(source.socket)) {
    source.socket.destroySoon()
  }
}
