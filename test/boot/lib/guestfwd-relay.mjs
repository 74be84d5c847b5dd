// QEMU user networking runs this once per guest connection to a guestfwd address (`guestfwd=…-cmd:node
// guestfwd-relay.mjs PORT`), its stdin and stdout being that connection. It relays to 127.0.0.1:PORT and
// nowhere else: the metadata server the test runs on the host's loopback.
import { connect } from 'node:net';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  process.stderr.write(`guestfwd-relay: a port number on 127.0.0.1, not ${JSON.stringify(process.argv[2])}\n`);
  process.exit(2);
}
const socket = connect({ host: '127.0.0.1', port });
process.stdin.pipe(socket);
socket.pipe(process.stdout);
// The guest closing its side ends the request; the server closing its side ends the relay.
socket.on('close', () => process.exit(0));
socket.on('error', (error) => {
  process.stderr.write(`guestfwd-relay: 127.0.0.1:${port}: ${error.message}\n`);
  process.exit(1);
});
process.stdout.on('error', () => process.exit(0));
