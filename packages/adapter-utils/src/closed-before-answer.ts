/**
 * Why the undici transport sends a request again: an HTTP/1.1 server may close a keep-alive connection whenever it
 * likes, and a request the client wrote onto it just before the close arrived fails with "other side closed" although
 * the server never read it. llama-server (cpp-httplib) does this after every streamed response, while its headers
 * still say `Keep-Alive: timeout=5, max=100`; undici hands a request queued behind that stream to the same socket in
 * the tick the stream's last chunk arrives, before the close can be seen, so the next request on that connection fails
 * every time. Servers that close idle connections (uvicorn under vLLM, Node) race the same way when a pooled socket is
 * reused just as their idle timeout ends. Go's net/http and browsers send such a request again; undici does not.
 *
 * Sent again only when both hold: the request's promise rejected (undici settles it with the response's headers, so
 * no response had started; an error in a body is the body's, never retried, so a POST that reached a server's model
 * is not generated twice) and the error is undici's `SocketError` on a socket that had read bytes before, i.e. one
 * that had carried an earlier response. ECONNRESET and EPIPE carry no socket counters to prove that, and a new
 * connection closed before answering may have been read, so neither is retried. (A server that sends part of a
 * status line on a new connection and closes would also pass; no server known to us does.)
 *
 * Hand-written in the transport rather than undici's `RetryHandler` composed onto the dispatcher: with 1000 requests
 * held in flight that cost about 740 B more per request (a handler, its controller, copies of the options) against
 * about 90 B for this (one closure and undici's options), and its rules would resume a failed body with a `Range`
 * header, which a POST must not do.
 */
export function closedBeforeAnswer(error: unknown): boolean {
  const { code, socket } = error as { code?: unknown; socket?: { bytesRead?: unknown } };
  return code === 'UND_ERR_SOCKET' && typeof socket?.bytesRead === 'number' && socket.bytesRead > 0;
}

/**
 * How often a request is sent again after {@link closedBeforeAnswer}: more than once because a retry goes to the back
 * of the connection's queue, and on one connection to llama-server it can land behind another stream and meet the
 * same close again (measured: a generate() queued between two streams on one connection failed twice). Every failure
 * counted is a request the server did not read, following a response it completed, so the queue moves on between them.
 */
export const closedBeforeAnswerRetries = 3;
