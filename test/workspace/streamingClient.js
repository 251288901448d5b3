// A separate process that uploads or downloads a large body in pieces, so the test process
// (which runs the server) measures only the server's memory. Prints one JSON line.
// Usage: node streamingClient.js put|get <port> <path> <authorization> <bytes> <fill byte>
const http = require('node:http');

const [mode, port, path, authorization, bytesText, fillText] = process.argv.slice(2);
const total = Number(bytesText);
const fill = Number(fillText);
const piece = Buffer.alloc(64 * 1024, fill);

function report(res, received, allFill, body) {
  process.stdout.write(JSON.stringify({ status: res.statusCode, headers: res.headers, received, allFill, body }) + '\n');
}

if (mode === 'put') {
  const req = http.request({ host: '127.0.0.1', port, path, method: 'PUT', headers: { Authorization: authorization, 'Content-Type': 'application/octet-stream', 'Content-Length': String(total) } }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => report(res, 0, true, Buffer.concat(chunks).toString()));
  });
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      const size = Math.min(piece.length, total - sent);
      sent += size;
      if (!req.write(size === piece.length ? piece : piece.subarray(0, size))) return req.once('drain', pump);
    }
    req.end();
  };
  pump();
} else {
  http.get({ host: '127.0.0.1', port, path, headers: { Authorization: authorization } }, (res) => {
    let received = 0;
    let allFill = true;
    res.on('data', (chunk) => {
      received += chunk.length;
      if (allFill && !chunk.equals(Buffer.alloc(chunk.length, fill))) allFill = false;
    });
    res.on('end', () => report(res, received, allFill, ''));
  });
}
