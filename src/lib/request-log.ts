import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * One log line per request, when it is answered (method, url, status, time), instead of Fastify's
 * two (one on arrival with the whole request serialized, one on completion): on the invoke path
 * at the default `info` level that halved the logging work and the synchronous writes to stdout.
 * A request that never completes still shows up: errors are logged by the error handler.
 */
export class RequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      responseTime: reply.elapsedTime,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
