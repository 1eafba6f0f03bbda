/**
 * Preloaded into a bot process by tests (`NODE_OPTIONS=--require <this file>`): records, in the file
 * `LOOPBACK_GUARD_FILE` names, every TCP connection the process tries to open to anything but
 * loopback (one JSON line each, the connection still refused), and at exit which of the modules
 * listed in `LOOPBACK_GUARD_WATCH` (comma-separated package names) were loaded.
 */
'use strict';
const fs = require('node:fs');
const net = require('node:net');

const file = process.env.LOOPBACK_GUARD_FILE;
const watch = (process.env.LOOPBACK_GUARD_WATCH ?? '').split(',').filter((name) => name !== '');
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function note(record) {
  if (file !== undefined) fs.appendFileSync(file, `${JSON.stringify(record)}\n`);
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = typeof first === 'object' && first !== null ? first : { port: first, host: args[1] };
  if (typeof options.path !== 'string' || options.path === '') {
    const host = options.host ?? 'localhost';
    if (!LOOPBACK.has(host)) {
      note({ connect: `${host}:${String(options.port)}` });
      const error = new Error(`loopback guard: refused a connection to ${host}`);
      error.code = 'ECONNREFUSED';
      process.nextTick(() => this.destroy(error));
      return this;
    }
  }
  return connect.apply(this, args);
};

process.on('exit', () => {
  const loaded = Object.keys(require.cache);
  note({
    loaded: watch.filter((name) => loaded.some((path) => path.includes(`/node_modules/${name}/`))),
  });
});
