import type { FastifyReply, FastifyRequest } from 'fastify';
import { LATEST } from '../functions/versions.service.js';
import { describeValidation } from '../../lib/error-handler.js';
import { compileChecker } from '../../lib/validation.js';
import { CreateMappingBody, UpdateMappingBody } from '../sources/sources.schemas.js';
import type { MappingChangeInput, MappingInput, SourcesService } from '../sources/sources.service.js';
import { awsErrors } from './errors.js';
import { toDest, fromDest } from './lambda.async-urls.js';
import { callerOf, jsonBody, type LambdaOperations, sendJson } from './lambda.context.js';
import { type ArnContext, functionArn, parseFunctionName } from './shapes.js';

/**
 * Event source mappings through the Lambda API: a translation onto the sources service that
 * /v1/event-source-mappings uses (docs/aws.md, "Event source mappings"). Lambda names a broker by
 * an AWS ARN (Amazon MQ, MSK) or, for self-managed Kafka, by `SelfManagedEventSource.Endpoints`;
 * Tally's brokers are all self-managed, so their URL travels there under the broker's kind:
 * `{ "Endpoints": { "RABBITMQ": ["amqp://..."] } }` (or MQTT, NATS, REDIS, POSTGRES). The queue is `Queues[0]`,
 * the topic filter, stream or Postgres publication `Topics[0]`, a stream's consumer group (a Postgres
 * replication slot) `SelfManagedKafkaEventSourceConfig.ConsumerGroupId`. The URL is answered without credentials.
 */
type Kind = 'rabbitmq' | 'mqtt' | 'nats' | 'redis' | 'postgres';
const KINDS: Record<string, Kind> = { RABBITMQ: 'rabbitmq', MQTT: 'mqtt', NATS: 'nats', REDIS: 'redis', POSTGRES: 'postgres' };
const ENDPOINT_OF: Record<Kind, string> = { rabbitmq: 'RABBITMQ', mqtt: 'MQTT', nats: 'NATS', redis: 'REDIS', postgres: 'POSTGRES' };

interface AwsMappingRequest {
  FunctionName?: string;
  EventSourceArn?: string;
  SelfManagedEventSource?: { Endpoints?: Record<string, string[]> };
  Queues?: string[];
  Topics?: string[];
  SelfManagedKafkaEventSourceConfig?: { ConsumerGroupId?: string };
  StartingPosition?: string;
  BatchSize?: number;
  MaximumBatchingWindowInSeconds?: number;
  MaximumRetryAttempts?: number;
  ScalingConfig?: { MaximumConcurrency?: number };
  FunctionResponseTypes?: string[];
  DestinationConfig?: { OnFailure?: { Destination?: string } };
  Enabled?: boolean;
}

type Dto = Awaited<ReturnType<SourcesService['get']>>;

/** Fields of a Lambda request Tally cannot honour for its brokers: refused by name rather than ignored. */
const UNSUPPORTED = [
  'EventSourceArn',
  'FilterCriteria',
  'ParallelizationFactor',
  'StartingPositionTimestamp',
  'MaximumRecordAgeInSeconds',
  'BisectBatchOnFunctionError',
  'TumblingWindowInSeconds',
  'SourceAccessConfigurations',
  'AmazonManagedKafkaEventSourceConfig',
  'DocumentDBEventSourceConfig',
  'KMSKeyArn',
  'MetricsConfig',
  'ProvisionedPollerConfig',
] as const;

function toInput(caller: ArnContext, body: AwsMappingRequest): MappingInput {
  for (const field of UNSUPPORTED) {
    if ((body as Record<string, unknown>)[field] !== undefined) {
      throw awsErrors.invalidParameter(
        `${field}: Tally's event sources are self-managed brokers; name one with SelfManagedEventSource.Endpoints (RABBITMQ, MQTT, NATS, REDIS or POSTGRES)`,
      );
    }
  }
  if (!body.FunctionName) throw awsErrors.invalidParameter('FunctionName is required');
  const endpoints = Object.entries(body.SelfManagedEventSource?.Endpoints ?? {});
  const [endpoint] = endpoints;
  const kind = endpoint ? KINDS[endpoint[0]] : undefined;
  if (endpoints.length !== 1 || !endpoint || !kind || !Array.isArray(endpoint[1]) || endpoint[1].length !== 1) {
    throw awsErrors.invalidParameter(
      'SelfManagedEventSource.Endpoints: exactly one of RABBITMQ, MQTT, NATS, REDIS or POSTGRES, with one broker URL',
    );
  }
  const url = endpoint[1][0]!;
  // `f:live`, `f:1`, or a partial or full ARN with its qualifier: the mapping runs that alias or version.
  const { name, qualifier } = parseFunctionName(body.FunctionName, caller);
  const one = (field: 'Queues' | 'Topics', list: string[] | undefined) => {
    if (list?.length !== 1) throw awsErrors.invalidParameter(`${field}: exactly one name for a ${kind} source`);
    return list[0]!;
  };
  const group = body.SelfManagedKafkaEventSourceConfig?.ConsumerGroupId;
  const position = body.StartingPosition as 'TRIM_HORIZON' | 'LATEST' | undefined;
  if (position !== undefined && position !== 'TRIM_HORIZON' && position !== 'LATEST') {
    throw awsErrors.invalidParameter('StartingPosition: TRIM_HORIZON or LATEST (AT_TIMESTAMP is not served)');
  }
  const source: MappingInput['source'] =
    kind === 'rabbitmq'
      ? { type: kind, url, queue: one('Queues', body.Queues) }
      : kind === 'mqtt'
        ? { type: kind, url, topic: one('Topics', body.Topics) }
        : kind === 'postgres'
          ? {
              type: kind,
              url,
              publication: one('Topics', body.Topics),
              ...(group !== undefined ? { slot: group } : {}),
              ...(position !== undefined ? { startingPosition: position } : {}),
            }
          : {
              type: kind,
              url,
              stream: one('Topics', body.Topics),
              ...(group !== undefined ? { group } : {}),
              ...(position !== undefined ? { startingPosition: position } : {}),
            };
  const onFailure = toDest(caller, 'DestinationConfig.OnFailure', body.DestinationConfig?.OnFailure?.Destination);
  const responseTypes = body.FunctionResponseTypes ?? [];
  if (responseTypes.some((r) => r !== 'ReportBatchItemFailures')) {
    throw awsErrors.invalidParameter('FunctionResponseTypes: only ReportBatchItemFailures');
  }
  const input = {
    functionName: name,
    ...(qualifier !== undefined ? { qualifier } : {}),
    source,
    ...(body.BatchSize !== undefined ? { batchSize: body.BatchSize } : {}),
    ...(body.MaximumBatchingWindowInSeconds !== undefined ? { maximumBatchingWindowS: body.MaximumBatchingWindowInSeconds } : {}),
    ...(body.MaximumRetryAttempts !== undefined ? { maximumRetryAttempts: body.MaximumRetryAttempts } : {}),
    ...(body.ScalingConfig?.MaximumConcurrency !== undefined ? { maximumConcurrency: body.ScalingConfig.MaximumConcurrency } : {}),
    ...(responseTypes.length > 0 ? { functionResponseTypes: ['ReportBatchItemFailures'] as const } : {}),
    ...(onFailure ? { destinations: { onFailure } } : {}),
    ...(body.Enabled !== undefined ? { enabled: body.Enabled } : {}),
  };
  // The /v1 body's schema, as an update is checked: out of its bounds (BatchSize 0, MaximumRetryAttempts -1) the
  // database's checks refused the insert instead, a 500, after a Postgres source's slot had been made.
  const r = checkCreate(input);
  if (!r.ok) throw awsErrors.invalidParameter(describeValidation('body', r.errors).message);
  return r.value;
}

/** What names the source: it cannot change (Lambda's UpdateEventSourceMapping has no such fields). */
const SOURCE_FIELDS = ['SelfManagedEventSource', 'Queues', 'Topics', 'StartingPosition', 'SelfManagedKafkaEventSourceConfig'] as const;
/** What UpdateEventSourceMapping changes, in Lambda's names. */
const CHANGEABLE = new Set([
  'UUID',
  'FunctionName',
  'BatchSize',
  'MaximumBatchingWindowInSeconds',
  'MaximumRetryAttempts',
  'ScalingConfig',
  'FunctionResponseTypes',
  'DestinationConfig',
  'Enabled',
]);
const checkChange = compileChecker<MappingChangeInput>(UpdateMappingBody);
const checkCreate = compileChecker<MappingInput>(CreateMappingBody);

/**
 * UpdateEventSourceMapping's body as a change of the mapping, checked against the /v1 PATCH body's schema (the
 * service then applies creation's rules). `DestinationConfig: { OnFailure: {} }` removes the failure destination
 * and `FunctionResponseTypes: []` turns item failures off, as on Lambda.
 */
function toChange(caller: ArnContext, body: AwsMappingRequest & Record<string, unknown>): MappingChangeInput {
  for (const field of [...UNSUPPORTED, ...SOURCE_FIELDS]) {
    if (body[field] !== undefined) {
      throw awsErrors.invalidParameter(
        (SOURCE_FIELDS as readonly string[]).includes(field)
          ? `${field}: the source of an event source mapping cannot change; create a new mapping for another source`
          : `${field}: not served by Tally's event sources`,
      );
    }
  }
  const unknown = Object.keys(body).filter((k) => !CHANGEABLE.has(k));
  if (unknown.length > 0) throw awsErrors.invalidParameter(`${unknown.join(', ')}: not a field of UpdateEventSourceMapping`);
  // `f:live`, `f:1`, or an ARN with its qualifier: the mapping moves to that alias or version; `f` alone is f's $LATEST.
  const fn = typeof body.FunctionName === 'string' ? parseFunctionName(body.FunctionName, caller) : undefined;
  if (body.FunctionName !== undefined && !fn) throw awsErrors.invalidParameter('FunctionName: a name or ARN');
  const dest = body.DestinationConfig;
  const onFailure = dest === undefined ? undefined : toDest(caller, 'DestinationConfig.OnFailure', dest?.OnFailure?.Destination);
  const change = {
    ...(fn ? { functionName: fn.name, qualifier: fn.qualifier ?? LATEST } : {}),
    ...(body.BatchSize !== undefined ? { batchSize: body.BatchSize } : {}),
    ...(body.MaximumBatchingWindowInSeconds !== undefined ? { maximumBatchingWindowS: body.MaximumBatchingWindowInSeconds } : {}),
    ...(body.MaximumRetryAttempts !== undefined ? { maximumRetryAttempts: body.MaximumRetryAttempts } : {}),
    ...(body.ScalingConfig?.MaximumConcurrency !== undefined ? { maximumConcurrency: body.ScalingConfig.MaximumConcurrency } : {}),
    ...(body.FunctionResponseTypes !== undefined ? { functionResponseTypes: body.FunctionResponseTypes } : {}),
    ...(dest !== undefined ? { destinations: onFailure ? { onFailure } : {} } : {}),
    ...(body.Enabled !== undefined ? { enabled: body.Enabled } : {}),
  };
  const r = checkChange(change);
  if (!r.ok) throw awsErrors.invalidParameter(describeValidation('body', r.errors).message);
  return r.value;
}

/** Lambda's EventSourceMappingConfiguration for a Tally mapping. */
function toAws(caller: ArnContext, m: Dto) {
  const s = m.source;
  const kind = s.type === 's3-webhook' ? null : (s.type as Kind);
  return {
    UUID: m.id,
    EventSourceMappingArn: m.eventSourceMappingArn,
    // Qualified when the mapping names an alias or version, as Lambda answers (and LocalStack, whose answer for
    // `f:$LATEST` keeps `:$LATEST`; Tally stores $LATEST as no qualifier and answers the unqualified ARN).
    FunctionArn: functionArn(caller, m.functionName, m.qualifier === LATEST ? undefined : m.qualifier),
    ...(kind && s.url ? { SelfManagedEventSource: { Endpoints: { [ENDPOINT_OF[kind]]: [s.url] } } } : {}),
    ...(s.queue !== undefined ? { Queues: [s.queue] } : {}),
    ...(s.topic !== undefined
      ? { Topics: [s.topic] }
      : s.stream !== undefined
        ? { Topics: [s.stream] }
        : s.publication !== undefined
          ? { Topics: [s.publication] }
          : {}),
    ...((s.group ?? s.slot) !== undefined ? { SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: s.group ?? s.slot } } : {}),
    ...(s.startingPosition !== undefined ? { StartingPosition: s.startingPosition } : {}),
    BatchSize: m.batchSize,
    MaximumBatchingWindowInSeconds: m.maximumBatchingWindowS,
    MaximumRetryAttempts: m.maximumRetryAttempts,
    ScalingConfig: { MaximumConcurrency: m.maximumConcurrency },
    FunctionResponseTypes: m.functionResponseTypes,
    DestinationConfig: { OnFailure: fromDest(caller, m.destinations.onFailure) ?? {} },
    State: m.state,
    StateTransitionReason: 'USER_INITIATED',
    LastProcessingResult: m.lastProcessingResult,
    // Lambda's JSON protocol carries timestamps as epoch seconds.
    LastModified: Date.parse(m.lastModified) / 1000,
  };
}

const MAPPINGS = '/2015-03-31/event-source-mappings';

/** Create, get, list, update and delete event source mappings. */
export const eventSourceOperations: LambdaOperations = (app, ctx) => {
  const { sources } = ctx;
  const idOf = (req: FastifyRequest) => (req.params as { UUID: string }).UUID;
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const notFound = (id: string) => awsErrors.notFound(`The resource you requested does not exist. (Service: Lambda; UUID: ${id})`);
  async function find(caller: ArnContext, id: string) {
    if (!UUID.test(id)) throw notFound(id);
    return sources.get(caller.accountId, id);
  }

  const create = async (req: FastifyRequest, reply: FastifyReply) => {
    const caller = callerOf(req, ctx);
    const created = await sources.create(caller.accountId, toInput(caller, jsonBody<AwsMappingRequest>(req)));
    return sendJson(reply, 202, toAws(caller, created));
  };
  app.post(MAPPINGS, create);
  app.post(`${MAPPINGS}/`, create);

  const list = async (req: FastifyRequest, reply: FastifyReply) => {
    const caller = callerOf(req, ctx);
    const q = req.query as { FunctionName?: string; Marker?: string; MaxItems?: string; EventSourceArn?: string };
    if (q.EventSourceArn !== undefined) throw awsErrors.invalidParameter('EventSourceArn: list by FunctionName instead');
    const limit = q.MaxItems === undefined ? 100 : Number(q.MaxItems);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw awsErrors.invalidParameter('MaxItems: 1 to 10000');
    if (q.Marker !== undefined && !UUID.test(q.Marker)) throw awsErrors.invalidParameter('Marker: not a marker this API gave');
    // `f:live` lists the mappings on that alias only (`f:$LATEST` those on none); `f` all of f's, as Lambda does.
    const fn = q.FunctionName === undefined ? undefined : parseFunctionName(q.FunctionName, caller);
    const page = await sources.list(caller.accountId, {
      limit: Math.min(limit, 1000),
      ...(fn ? { functionName: fn.name } : {}),
      ...(fn?.qualifier !== undefined ? { qualifier: fn.qualifier } : {}),
      ...(q.Marker ? { after: q.Marker } : {}),
    });
    return sendJson(reply, 200, {
      EventSourceMappings: page.eventSourceMappings.filter((m) => m.source.type !== 's3-webhook').map((m) => toAws(caller, m)),
      ...(page.next ? { NextMarker: page.next } : {}),
    });
  };
  app.get(MAPPINGS, list);
  app.get(`${MAPPINGS}/`, list);

  app.get(`${MAPPINGS}/:UUID`, async (req, reply) => {
    const caller = callerOf(req, ctx);
    return sendJson(reply, 200, toAws(caller, await find(caller, idOf(req))));
  });

  app.put(`${MAPPINGS}/:UUID`, async (req, reply) => {
    const caller = callerOf(req, ctx);
    const id = idOf(req);
    await find(caller, id);
    const change = toChange(caller, jsonBody<AwsMappingRequest & Record<string, unknown>>(req));
    return sendJson(reply, 202, toAws(caller, await sources.update(caller.accountId, id, change)));
  });

  app.delete(`${MAPPINGS}/:UUID`, async (req, reply) => {
    const caller = callerOf(req, ctx);
    const id = idOf(req);
    await find(caller, id);
    return sendJson(reply, 202, toAws(caller, await sources.remove(caller.accountId, id)));
  });
};
