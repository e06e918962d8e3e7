// Tally's Node.js runtime: loads the handler and loops over the Lambda Runtime API.
// Plain JavaScript with node built-ins only: it runs inside every function instance.
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

const [apiHost, apiPort] = (process.env.AWS_LAMBDA_RUNTIME_API ?? '127.0.0.1:9001').split(':');
// Inside Tally's sandbox the same Runtime API is also a unix socket: one hop less per invocation
// than the TCP forwarder that AWS_LAMBDA_RUNTIME_API names (which any other runtime uses).
const SOCKET = '/run/tally/runtime-api.sock';
const socketPath = existsSync(SOCKET) ? SOCKET : undefined;
const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
const handlerString = process.env._HANDLER ?? '';

let currentRequestId;

// _X_AMZN_TRACE_ID changes with every invocation, and a function reads it from process.env (the
// AWS SDK's recursion detection, X-Ray, Powertools). Written through process.env it would go to
// setenv(3), and glibc keeps every string setenv was ever given (another thread may still hold the
// old one): about 145 bytes a distinct trace id, for the instance's whole life, so a warm instance
// would grow by 145 MB per million invocations until the kernel killed it for memory. process.env
// is therefore a proxy that keeps this one variable in JavaScript and hands the others to the real
// environment. Child processes still get it: child_process copies process.env's keys.
const TRACE_VAR = '_X_AMZN_TRACE_ID';
const realEnv = process.env;
let traceId = realEnv[TRACE_VAR];
delete realEnv[TRACE_VAR];
const traceDescriptor = () => ({ value: traceId, writable: true, enumerable: true, configurable: true });
process.env = new Proxy(realEnv, {
  get: (env, key) => (key === TRACE_VAR ? traceId : Reflect.get(env, key)),
  set: (env, key, value) => {
    if (key !== TRACE_VAR) return Reflect.set(env, key, value);
    traceId = String(value);
    return true;
  },
  has: (env, key) => (key === TRACE_VAR ? traceId !== undefined : Reflect.has(env, key)),
  deleteProperty: (env, key) => {
    if (key !== TRACE_VAR) return Reflect.deleteProperty(env, key);
    traceId = undefined;
    return true;
  },
  defineProperty: (env, key, descriptor) => {
    if (key !== TRACE_VAR) return Reflect.defineProperty(env, key, descriptor);
    traceId = String(descriptor.value);
    return true;
  },
  ownKeys: (env) => (traceId === undefined ? Reflect.ownKeys(env) : [...Reflect.ownKeys(env), TRACE_VAR]),
  getOwnPropertyDescriptor: (env, key) =>
    key !== TRACE_VAR ? Reflect.getOwnPropertyDescriptor(env, key) : traceId === undefined ? undefined : traceDescriptor(),
});

// A minimal HTTP/1.1 client on one kept-alive connection: the runtime makes one request at a time
// to one server (Tally's Runtime API), so node:http's agent, parser objects and streams are pure
// overhead here (they were about 220 us of JavaScript per invocation, a third of the runtime's work).
const CRLF2 = Buffer.from('\r\n\r\n');
let conn = null;
let pending = null;
let received = [];
let receivedBytes = 0;
/** Bytes a response with a known length needs in all: no parse is tried before they are here. */
let needed = 0;

function connect() {
  const socket = socketPath ? net.createConnection(socketPath) : net.createConnection(Number(apiPort), apiHost);
  socket.setNoDelay?.(true);
  socket.on('data', (chunk) => {
    received.push(chunk);
    receivedBytes += chunk.length;
    if (pending && receivedBytes >= needed) tryParse();
  });
  const gone = (err) => {
    if (conn === socket) conn = null;
    received = [];
    receivedBytes = 0;
    needed = 0;
    const p = pending;
    pending = null;
    p?.reject(err ?? new Error('the Runtime API closed the connection'));
  };
  socket.on('error', gone);
  socket.on('close', () => gone());
  return socket;
}

/** Parses one whole response from what was received (Content-Length or chunked), if it is all there. */
function tryParse() {
  const all = received.length === 1 ? received[0] : Buffer.concat(received);
  received = [all];
  const end = all.indexOf(CRLF2);
  if (end < 0) return;
  const head = all.toString('latin1', 0, end).split('\r\n');
  const status = Number(head[0].slice(9, 12));
  const headers = {};
  for (let i = 1; i < head.length; i++) {
    const colon = head[i].indexOf(':');
    if (colon > 0) headers[head[i].slice(0, colon).trim().toLowerCase()] = head[i].slice(colon + 1).trim();
  }
  let body;
  let rest;
  const start = end + 4;
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    if (all.length < start + length) {
      needed = start + length;
      return;
    }
    body = all.subarray(start, start + length);
    rest = all.subarray(start + length);
  } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const parts = [];
    let at = start;
    for (;;) {
      const lineEnd = all.indexOf('\r\n', at, 'latin1');
      if (lineEnd < 0) return;
      const size = Number.parseInt(all.toString('latin1', at, lineEnd), 16);
      if (size === 0) {
        const trailerEnd = all.indexOf(CRLF2, lineEnd - 2);
        if (trailerEnd < 0) return;
        rest = all.subarray(trailerEnd + 4);
        break;
      }
      if (all.length < lineEnd + 2 + size + 2) return;
      parts.push(all.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  } else {
    body = Buffer.alloc(0); // our Runtime API always sends a length; nothing else is expected
    rest = all.subarray(start);
  }
  received = rest.length > 0 ? [rest] : [];
  receivedBytes = rest.length;
  needed = 0;
  const p = pending;
  pending = null;
  if (/close/i.test(headers.connection ?? '')) conn?.destroy();
  // Idle, the connection must not keep the process alive: a callback handler's invocation ends when
  // its event loop is empty ('beforeExit'), as with node:http's agent, whose idle sockets are unref'd.
  conn?.unref();
  p.resolve({ status, headers, body });
}

function request(method, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    conn ??= connect();
    conn.ref();
    pending = { resolve, reject };
    let head = `${method} ${urlPath} HTTP/1.1\r\nHost: runtime\r\n`;
    for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
    if (body) {
      head += `Content-Length: ${body.length}\r\n\r\n`;
      conn.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
    } else conn.write(`${head}\r\n`, 'latin1');
  });
}

const post = (urlPath, payload, headers) =>
  request('POST', urlPath, Buffer.from(payload), { 'Content-Type': 'application/json', ...headers });

// Lambda's error JSON for Node.js (Errors.js, toRapidResponse): `trace` is the stack, line by line,
// starting with the error itself; anything thrown that is not an error is named by its type.
function errorPayload(err) {
  const errorLike =
    err instanceof Error || (err && typeof err.name === 'string' && typeof err.message === 'string' && typeof err.stack === 'string');
  if (errorLike) return { errorType: err.name, errorMessage: err.message, trace: String(err.stack ?? '').split('\n') };
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}

function namedError(name, message) {
  return Object.assign(new Error(message), { name });
}

function safeStringify(value) {
  try {
    return JSON.stringify(value === undefined ? null : value);
  } catch (_err) {
    return null;
  }
}

// Lambda's log line shape: "<time>\t<requestId>\t<LEVEL>\t<message>".
function patchConsole() {
  const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
  for (const [method, level] of Object.entries(levels)) {
    const stream = method === 'error' || method === 'warn' ? process.stderr : process.stdout;
    console[method] = (...args) => {
      const prefix = `${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\t${level}\t`;
      stream.write(`${prefix}${format(...args)}\n`);
    };
  }
}

async function initError(errorType, err) {
  const payload = { ...errorPayload(err), errorType };
  console.error(`${errorType}: ${payload.errorMessage}`);
  await post('/2018-06-01/runtime/init/error', JSON.stringify(payload), { 'Lambda-Runtime-Function-Error-Type': errorType }).catch(
    () => {},
  );
  process.exit(1);
}

async function loadHandler() {
  // "dir/file.method.nested": the module is up to the first dot after the last slash.
  const slash = handlerString.lastIndexOf('/');
  const dot = handlerString.indexOf('.', slash + 1);
  if (dot < 0) return initError('Runtime.MalformedHandlerName', new Error(`Bad handler ${handlerString}`));
  const modulePath = handlerString.slice(0, dot);
  const names = handlerString.slice(dot + 1).split('.');
  const base = path.resolve(taskRoot, modulePath);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => existsSync(f));
  if (!file) {
    return initError('Runtime.ImportModuleError', new Error(`Error: Cannot find module '${modulePath}'`));
  }
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    return initError(err instanceof SyntaxError ? 'Runtime.UserCodeSyntaxError' : 'Runtime.ImportModuleError', err);
  }
  const pick = (root) => names.reduce((obj, name) => (obj == null ? undefined : obj[name]), root);
  const handler = pick(mod) ?? pick(mod.default);
  if (typeof handler !== 'function') {
    return initError('Runtime.HandlerNotFound', new Error(`${handlerString} is undefined or not exported`));
  }
  return handler;
}

function makeContext(requestId, headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const context = {
    awsRequestId: requestId,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    clientContext: headers['lambda-runtime-client-context'] ? JSON.parse(headers['lambda-runtime-client-context']) : undefined,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    // Lambda's legacy context methods.
    succeed: undefined,
    fail: undefined,
    done: undefined,
  };
  return context;
}

/**
 * Runs one handler call; resolves with { error } or { result }, as Lambda's runtime does
 * (aws-lambda-nodejs-runtime-interface-client, CallbackContext.js and Runtime.js): a promise's
 * outcome, an error passed to the callback, and context.succeed/fail/done are answered at once; only
 * callback(null, result) waits for an empty event loop, unless callbackWaitsForEmptyEventLoop is false.
 * A handler that never answers ends once its event loop is empty: with null, or as Runtime.NodeJsExit
 * for an async function (its promise can no longer settle).
 */
function runHandler(handler, event, context) {
  return new Promise((resolve) => {
    let finished = false;
    const finishNow = (outcome) => {
      process.removeListener('beforeExit', onEmptyLoop);
      resolve(outcome);
    };
    let pending =
      handler.constructor?.name === 'AsyncFunction'
        ? {
            error: namedError(
              'Runtime.NodeJsExit',
              'The runtime detected that the event loop is empty while the handler has not answered: most commonly a Promise that was never settled.',
            ),
          }
        : { result: null };
    const onEmptyLoop = () => finishNow(pending);
    process.once('beforeExit', onEmptyLoop);
    const callback = (err, result) => {
      if (finished) return;
      finished = true;
      pending = err != null ? { error: err } : { result };
      if (err != null || !context.callbackWaitsForEmptyEventLoop) finishNow(pending);
    };
    const done = (err, result) => {
      if (finished) return;
      finished = true;
      finishNow(err != null ? { error: err } : { result });
    };
    context.done = done;
    context.succeed = (result) => done(null, result);
    context.fail = (err) => done(err ?? 'handled');
    let returned;
    try {
      returned = handler(event, context, callback);
    } catch (err) {
      finished = true;
      return finishNow({ error: err });
    }
    if (returned && typeof returned.then === 'function') {
      returned.then(
        (result) => done(null, result),
        (err) => done(err ?? 'handled'),
      );
    }
  });
}

// Tally's Runtime API answers a response (or error) carrying this header with the next event,
// saving a round trip per invocation; any other answer means: ask /next as usual.
const THEN_NEXT = { 'X-Tally-Then-Next': '1' };

function reportInvocationError(requestId, err) {
  const payload = errorPayload(err);
  console.error('Invoke Error', JSON.stringify(payload));
  return post(`/2018-06-01/runtime/invocation/${requestId}/error`, JSON.stringify(payload), {
    'Lambda-Runtime-Function-Error-Type': payload.errorType,
    ...THEN_NEXT,
  });
}

/**
 * An error no handler caught ends the invocation under way, then the process, as in Lambda's runtime
 * (its index.mjs): an uncaught exception as itself, a rejection nobody handled wrapped as
 * Runtime.UnhandledPromiseRejection (its message: the reason as text).
 */
function exitOnFatal(label, wrap, exitCode) {
  return async (reason) => {
    const err = wrap ? namedError(wrap, reason) : reason;
    console.error(`${label}:`, err);
    if (currentRequestId) {
      const payload = errorPayload(err);
      await post(`/2018-06-01/runtime/invocation/${currentRequestId}/error`, JSON.stringify(payload), {
        'Lambda-Runtime-Function-Error-Type': payload.errorType,
      }).catch(() => {});
    }
    process.exit(exitCode);
  };
}

async function main() {
  patchConsole();
  process.on('uncaughtException', exitOnFatal('Uncaught Exception', null, 129));
  process.on('unhandledRejection', exitOnFatal('Unhandled Promise Rejection', 'Runtime.UnhandledPromiseRejection', 128));
  const handler = await loadHandler();
  let next = null;
  for (;;) {
    try {
      if (next === null || next.status !== 200) next = await request('GET', '/2018-06-01/runtime/invocation/next');
    } catch {
      process.exit(1); // the executor is gone
    }
    if (next.status !== 200) continue;
    const requestId = String(next.headers['lambda-runtime-aws-request-id']);
    currentRequestId = requestId;
    const trace = next.headers['lambda-runtime-trace-id'];
    traceId = trace ? String(trace) : undefined;
    let event;
    try {
      event = next.body.length === 0 ? {} : JSON.parse(next.body.toString('utf8'));
    } catch (err) {
      next = await reportInvocationError(requestId, namedError('Runtime.InvalidEvent', `Could not parse event: ${err.message}`)).catch(
        () => null,
      );
      continue;
    }
    const outcome = await runHandler(handler, event, makeContext(requestId, next.headers));
    let answer;
    if ('error' in outcome) {
      answer = reportInvocationError(requestId, outcome.error);
    } else {
      const body = safeStringify(outcome.result);
      answer =
        body === null
          ? reportInvocationError(requestId, namedError('Runtime.MarshalError', 'Unable to stringify response body'))
          : post(`/2018-06-01/runtime/invocation/${requestId}/response`, body, THEN_NEXT);
    }
    currentRequestId = undefined;
    try {
      next = await answer;
    } catch {
      process.exit(1); // the executor is gone
    }
  }
}

await main();
