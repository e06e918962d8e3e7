import { Type } from 'typebox';
import { Dest } from '../async/async.schemas.js';
import { FUNCTION_NAME_PATTERN } from '../functions/functions.schemas.js';
import { SLOT_PATTERN } from './postgres-slot.js';

const QUALIFIER_PATTERN = '^(\\$LATEST|[A-Za-z0-9_-]{1,128})$';

const Name = (description: string) => Type.String({ minLength: 1, maxLength: 255, description });

/** One object for every source type; the service checks which fields each type needs and names what is missing. */
const SourceBody = Type.Object(
  {
    type: Type.Enum(['rabbitmq', 'mqtt', 'nats', 'redis', 'postgres', 's3-webhook']),
    url: Type.Optional(
      Type.String({ minLength: 1, maxLength: 2048, description: 'the broker URL, credentials included; stored sealed, never shown' }),
    ),
    queue: Type.Optional(Name('rabbitmq: the queue (it must exist)')),
    topic: Type.Optional(Name('mqtt: the topic filter')),
    qos: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)], { description: 'mqtt: 1 (default) or 0' })),
    stream: Type.Optional(Name('nats: the JetStream stream; redis: the stream key')),
    subject: Type.Optional(Name('nats: a subject filter')),
    group: Type.Optional(Name('redis: the consumer group; nats: the durable consumer (default tally-<mapping id>)')),
    startingPosition: Type.Optional(
      Type.Enum(['TRIM_HORIZON', 'LATEST'], {
        description: 'streams: where a new group starts (default TRIM_HORIZON); postgres: LATEST skips what an existing slot holds',
      }),
    ),
    publication: Type.Optional(
      Type.String({
        pattern: SLOT_PATTERN,
        description: 'postgres: the publication of the tables streamed (CREATE PUBLICATION ... FOR TABLE ...)',
      }),
    ),
    slot: Type.Optional(
      Type.String({
        pattern: SLOT_PATTERN,
        description:
          'postgres: the logical replication slot (default tally_<mapping id without dashes>, made and dropped with the mapping)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const CreateMappingBody = Type.Object(
  {
    functionName: Type.String({ pattern: FUNCTION_NAME_PATTERN }),
    qualifier: Type.Optional(
      Type.String({
        pattern: QUALIFIER_PATTERN,
        description:
          'an alias or published version of the function, resolved when each batch runs (a moved alias takes effect for the next batch); default $LATEST',
      }),
    ),
    source: SourceBody,
    batchSize: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10000, description: 'most messages per invocation (default 100; mqtt: 1)' }),
    ),
    maximumBatchingWindowS: Type.Optional(
      Type.Number({ minimum: 0, maximum: 300, description: 'how long a batch waits to fill (default 0.5 for rabbitmq, else 0)' }),
    ),
    maximumConcurrency: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1000,
        description: 'rabbitmq, redis: batches run at once (default 1; a redis stream keeps its order only with 1)',
      }),
    ),
    maximumRetryAttempts: Type.Optional(Type.Integer({ minimum: 0, maximum: 10, description: 'retries of a failed batch (default 2)' })),
    enabled: Type.Optional(Type.Boolean()),
    functionResponseTypes: Type.Optional(Type.Array(Type.Literal('ReportBatchItemFailures'), { maxItems: 1 })),
    destinations: Type.Optional(Type.Object({ onFailure: Type.Optional(Dest) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

/**
 * A change: any of the settings creation takes, with the same bounds (the service applies the same per-type rules).
 * `functionName` alone names that function's $LATEST; `qualifier` alone moves the mapping to another alias or
 * version of its function. `destinations: {}` removes the failure destination. `source` is refused by name.
 */
export const UpdateMappingBody = Type.Object(
  {
    functionName: Type.Optional(CreateMappingBody.properties.functionName),
    qualifier: CreateMappingBody.properties.qualifier,
    batchSize: CreateMappingBody.properties.batchSize,
    maximumBatchingWindowS: CreateMappingBody.properties.maximumBatchingWindowS,
    maximumConcurrency: CreateMappingBody.properties.maximumConcurrency,
    maximumRetryAttempts: CreateMappingBody.properties.maximumRetryAttempts,
    enabled: CreateMappingBody.properties.enabled,
    functionResponseTypes: CreateMappingBody.properties.functionResponseTypes,
    destinations: CreateMappingBody.properties.destinations,
    source: Type.Optional(
      Type.Unknown({ description: 'cannot change: refused (400) with a message naming it; a new source is a new mapping' }),
    ),
  },
  { additionalProperties: false },
);

export const MappingParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const ListMappingsQuery = Type.Object(
  {
    functionName: Type.Optional(Type.String({ pattern: FUNCTION_NAME_PATTERN })),
    qualifier: Type.Optional(
      Type.String({ pattern: QUALIFIER_PATTERN, description: 'only the mappings on this alias or version ($LATEST: those on none)' }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    after: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
);

export const MappingDto = Type.Object({
  id: Type.String(),
  eventSourceMappingArn: Type.String({ description: 'arn:aws:lambda:<TALLY_REGION>:<account id>:event-source-mapping:<id>' }),
  functionName: Type.String(),
  qualifier: Type.String({ description: 'the alias or published version the mapping runs, or $LATEST' }),
  source: Type.Object({
    type: Type.String(),
    url: Type.Optional(Type.String({ description: 'without credentials' })),
    queue: Type.Optional(Type.String()),
    topic: Type.Optional(Type.String()),
    qos: Type.Optional(Type.Integer()),
    stream: Type.Optional(Type.String()),
    subject: Type.Optional(Type.String()),
    group: Type.Optional(Type.String()),
    startingPosition: Type.Optional(Type.String()),
    publication: Type.Optional(Type.String()),
    slot: Type.Optional(Type.String()),
  }),
  batchSize: Type.Integer(),
  maximumBatchingWindowS: Type.Number(),
  maximumConcurrency: Type.Integer(),
  maximumRetryAttempts: Type.Integer(),
  functionResponseTypes: Type.Array(Type.String()),
  destinations: Type.Object({ onFailure: Type.Optional(Dest) }),
  enabled: Type.Boolean(),
  state: Type.String(),
  lastProcessingResult: Type.String(),
  lag: Type.Union([Type.Integer(), Type.Null()], {
    description: 'messages not yet processed (postgres: WAL bytes the slot holds back), as last measured',
  }),
  lagMeasuredAt: Type.Union([Type.String(), Type.Null()]),
  lastModified: Type.String(),
  endpoint: Type.Optional(Type.String({ description: 's3-webhook: POST S3 event notifications here' })),
  token: Type.Optional(Type.String({ description: 's3-webhook: the bearer token, shown once' })),
  webhookSecret: Type.Optional(Type.String({ description: 'a webhook failure destination signing secret, shown once' })),
});
