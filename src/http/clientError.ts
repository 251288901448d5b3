import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { OpenEOError } from '../errors/OpenEOError';

/**
 * Requests Node's HTTP parser rejects (garbage request lines, control characters in the path,
 * oversized headers) never reach Express. They get an openEO error object too, instead of
 * Node's bare 400, so every answer of the server has the same shape.
 */
export function answerClientErrors(server: http.Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || (socket as Duplex & { _httpMessage?: unknown })._httpMessage) {
      // A response was already started on this connection, or it is gone: just close it.
      socket.destroy();
      return;
    }
    if (error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const reason = error.code === 'HPE_HEADER_OVERFLOW' ? 'the request headers are too large' : 'the request is not valid HTTP';
    const body = JSON.stringify(new OpenEOError('BadRequest', { reason }).toJSON());
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
