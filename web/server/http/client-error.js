// Requests node:http refuses before any route runs (malformed HTTP, headers over the limit, a
// request that did not arrive in time): answered with the API's shared error body and a sentence
// naming the problem, then the connection is closed. Fastify's default answered
// {"error":"Bad Request","message":"Client Error","statusCode":400}, which names nothing and is
// neither dialect's shape. The dialect is not known here (the request line may be what is broken),
// so the body carries both: {success: false, message, error: {code, message}}.
import http from 'node:http';
import { SECURITY_HEADERS } from './body.js';

// llhttp's error codes (err.code) -> [status, code, message]; anything else is a plain 400.
const PROBLEMS = [
  [/^HPE_HEADER_OVERFLOW$/, 431, 'headers_too_large', `Request headers exceed the limit of ${http.maxHeaderSize} bytes`],
  [/^ERR_HTTP_REQUEST_TIMEOUT$/, 408, 'request_timeout', 'The request did not arrive in time; send it again'],
  [/^HPE_INVALID_METHOD$/, 400, 'bad_request', 'Malformed request: unknown HTTP method'],
  [/^HPE_INVALID_(URL|VERSION|CONSTANT)$/, 400, 'bad_request', 'Malformed request line (method, path, HTTP/1.1)'],
  [/CONTENT_LENGTH/, 400, 'bad_request', 'Malformed request: invalid or conflicting Content-Length'],
  [/TRANSFER_ENCODING/, 400, 'bad_request', 'Malformed request: invalid or conflicting Transfer-Encoding'],
  [/CHUNK/, 400, 'bad_request', 'Malformed chunked request body'],
  [/HEADER|_EXPECTED$/, 400, 'bad_request', 'Malformed request header'],
];

export function clientErrorAnswer(err) {
  const [, status, code, message] = PROBLEMS.find(([re]) => re.test(String(err?.code ?? ''))) ?? [
    null,
    400,
    'bad_request',
    'Malformed HTTP request',
  ];
  const body = JSON.stringify({ success: false, message, error: { code, message } });
  const headers = {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
  };
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n${head}\r\n${body}`;
}

// Fastify's `clientErrorHandler` (node:http's 'clientError' event): as Node's own handler, nothing
// is written to a reset or already-destroyed socket, and the socket is closed after the answer.
export function onClientError(err, socket) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // A request whose answer has begun (a timeout in the middle of it) cannot get a second one.
  if (socket.writable && !socket._httpMessage?.headersSent) socket.write(clientErrorAnswer(err));
  socket.destroy(err);
}
