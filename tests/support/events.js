// Reads one of the server's event streams (GET /api/v1/events, text/event-stream) as a client
// would, for the tests that watch it (server-flow, server-limits, server-faults, the two-instance
// test). The server writes a `: connected` comment as soon as a stream opens, so `ready` resolving
// means the stream is registered and will see what happens next.
import http from 'node:http';

// url: the server's base URL (or any URL on it); headers: e.g. { Authorization: `Bearer ${token}` }.
// -> a stream object, filled in as frames arrive:
//    events    the parsed `data:` of every frame that has one, in order
//    frames    [{ event, data }] the same with each frame's event name
//    comments  the text of `:` comment lines (keep-alives, the connected line)
//    status, headers, body (a refused stream's body text), ended (the server or the network ended it)
//    ready     a promise of the stream itself, resolved at its first bytes (or its end)
//    close()   drops the connection
export function openEventStream(url, headers = {}) {
  const u = new URL(url);
  const s = { events: [], frames: [], comments: [], status: 0, headers: {}, body: '', ended: false };
  let req;
  s.ready = new Promise((resolve) => {
    req = http.get({ host: u.hostname, port: u.port, path: '/api/v1/events', headers }, (res) => {
      s.status = res.statusCode;
      s.headers = res.headers;
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        if (res.statusCode !== 200) s.body += chunk;
        else {
          buf += chunk;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const lines = buf.slice(0, i).split('\n');
            buf = buf.slice(i + 2);
            for (const l of lines) if (l.startsWith(':')) s.comments.push(l.slice(1).trim());
            const data = lines.find((l) => l.startsWith('data: '));
            if (data === undefined) continue;
            const frame = { event: lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message', data: JSON.parse(data.slice(6)) };
            s.frames.push(frame);
            s.events.push(frame.data);
          }
        }
        resolve(s);
      });
      const ended = () => {
        s.ended = true;
        resolve(s);
      };
      res.on('end', ended);
      res.on('close', ended);
      res.on('error', () => {});
    });
    req.on('error', () => {
      s.ended = true;
      resolve(s);
    });
  });
  s.close = () => req.destroy();
  return s;
}
