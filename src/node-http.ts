/**
 * What Quire uses of node:http, taken without an ES module `import` of it: importing node:http as
 * an ES module builds its namespace, which reads every export, and its WebSocket, CloseEvent and
 * MessageEvent getters then load Node's bundled undici, megabytes of heap in every process that
 * never opens a WebSocket (https://github.com/nodejs/node/issues/59686, issue #17). Fastify
 * `require`s node:http, which loads nothing more. eslint.config.js keeps value imports of
 * node:http out of src/.
 */
export const { createServer, STATUS_CODES } = process.getBuiltinModule('node:http');
