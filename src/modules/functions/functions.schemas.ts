import { Type, type Static } from 'typebox';
import { RUNTIME_ALIASES, RUNTIMES } from '../../contracts/executor.js';
import { ARCHITECTURES } from '../../contracts/usage.js';
import type { FunctionConfig } from './functions.repository.js';

export const FUNCTION_NAME_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
const HANDLER_PATTERN = '^[^\\s]{1,128}$';

export const DEFAULTS = {
  handler: {
    nodejs: 'index.handler',
    python: 'app.handler',
    ruby: 'lambda_function.lambda_handler',
    java: 'example.Handler::handleRequest',
    provided: 'function.handler',
  },
  memoryMb: 128,
  timeoutS: 3,
  architecture: 'x86_64',
  ephemeralStorageMb: 512,
} as const;

/** Every setting but the name and the code; each optional (create applies the defaults, update keeps the current value). */
const settingFields = {
  runtime: Type.Enum([...RUNTIMES, ...(Object.keys(RUNTIME_ALIASES) as (keyof typeof RUNTIME_ALIASES)[])], {
    description:
      "nodejs, python, ruby, java or provided; AWS's identifiers (nodejs20.x, python3.11, ruby3.2, java17, provided.al2023...) too",
  }),
  handler: Type.String({
    pattern: HANDLER_PATTERN,
    description:
      'index.handler (nodejs), app.handler (python), lambda_function.handler (ruby), package.Class::method (java); passed as _HANDLER',
  }),
  memoryMb: Type.Integer({ minimum: 128, maximum: 10_240, description: 'MB, default 128' }),
  timeoutS: Type.Integer({ minimum: 1, maximum: 900, description: 'seconds, default 3' }),
  architecture: Type.Enum(ARCHITECTURES),
  ephemeralStorageMb: Type.Integer({ minimum: 512, maximum: 10_240, description: 'MB of /tmp, default 512' }),
  environment: Type.Record(Type.String(), Type.String(), { description: 'at most 4 KB in total' }),
  reservedConcurrency: Type.Union([Type.Integer({ minimum: 0, maximum: 100_000 }), Type.Null()], {
    description:
      "most instances at once, kept for this function out of the account's limit (the account's other functions share the rest); 0 stops all invocations; null: no reservation",
  }),
};

const Name = Type.String({ pattern: FUNCTION_NAME_PATTERN, description: 'unique in the account; letters, digits, - and _' });
const ZipFile = Type.String({ minLength: 1, description: 'the deployment package, a zip, base64-encoded' });
const ImageArchive = Type.String({
  minLength: 1,
  description: 'a container image, base64-encoded: an OCI image layout tar or a docker save archive (or send it raw as application/x-tar)',
});
const PackageTypeSchema = Type.Enum(['Zip', 'Image'], { description: 'Zip (default): code on a runtime; Image: a container image' });
const ImageConfigSchema = Type.Object(
  {
    entryPoint: Type.Optional(Type.Array(Type.String({ maxLength: 1024 }), { minItems: 1, maxItems: 64 })),
    command: Type.Optional(Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 64 })),
    workingDirectory: Type.Optional(Type.String({ pattern: '^/', maxLength: 1024 })),
  },
  { additionalProperties: false, description: "overrides of the image's ENTRYPOINT, CMD and WORKDIR" },
);

/** Every setting, optional: what a configuration update may carry, and a creation's defaults. */
const optionalSettings = {
  runtime: Type.Optional(settingFields.runtime),
  handler: Type.Optional(settingFields.handler),
  memoryMb: Type.Optional(settingFields.memoryMb),
  timeoutS: Type.Optional(settingFields.timeoutS),
  architecture: Type.Optional(settingFields.architecture),
  ephemeralStorageMb: Type.Optional(settingFields.ephemeralStorageMb),
  environment: Type.Optional(settingFields.environment),
  reservedConcurrency: Type.Optional(settingFields.reservedConcurrency),
  imageConfig: Type.Optional(ImageConfigSchema),
};

/** A zip (runtime required) or, with packageType Image, a container image (no runtime, no handler). */
export const CreateFunctionBody = Type.Object(
  {
    name: Name,
    ...optionalSettings,
    packageType: Type.Optional(PackageTypeSchema),
    zipFile: Type.Optional(ZipFile),
    imageArchive: Type.Optional(ImageArchive),
  },
  { additionalProperties: false },
);
export type CreateFunctionBody = Static<typeof CreateFunctionBody>;

/** With a raw application/zip body, the settings travel in the query string (environment as JSON). */
export const CreateFunctionQuery = Type.Object(
  {
    name: Type.Optional(Name),
    runtime: Type.Optional(settingFields.runtime),
    handler: Type.Optional(settingFields.handler),
    memoryMb: Type.Optional(settingFields.memoryMb),
    timeoutS: Type.Optional(settingFields.timeoutS),
    architecture: Type.Optional(settingFields.architecture),
    ephemeralStorageMb: Type.Optional(settingFields.ephemeralStorageMb),
    environment: Type.Optional(Type.String({ description: 'a JSON object of strings' })),
    reservedConcurrency: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    packageType: Type.Optional(PackageTypeSchema),
    imageConfig: Type.Optional(Type.String({ description: 'a JSON object: { entryPoint?, command?, workingDirectory? }' })),
  },
  { additionalProperties: false },
);
export type CreateFunctionQuery = Static<typeof CreateFunctionQuery>;

export const UpdateCodeBody = Type.Object(
  { zipFile: Type.Optional(ZipFile), imageArchive: Type.Optional(ImageArchive) },
  { additionalProperties: false, minProperties: 1, maxProperties: 1 },
);
export type UpdateCodeBody = Static<typeof UpdateCodeBody>;

export const UpdateConfigurationBody = Type.Object(optionalSettings, { additionalProperties: false, minProperties: 1 });
export type UpdateConfigurationBody = Static<typeof UpdateConfigurationBody>;

export const NameParams = Type.Object({ name: Type.String() });
export const VersionQuery = Type.Object(
  { version: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'a published version; default: the latest' })) },
  { additionalProperties: false },
);
export const ListFunctionsQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    after: Type.Optional(Type.String({ description: 'the last name of the previous page' })),
  },
  { additionalProperties: false },
);
export const InvokeQuery = Type.Object(
  {
    log: Type.Optional(Type.Enum(['tail', 'none'], { description: 'tail: X-Tally-Log-Result carries the last 4 KB of the log' })),
    version: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'run this version; default: the latest' })),
    alias: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,128}$', description: 'run the version this alias names' })),
  },
  { additionalProperties: false },
);

export const FunctionDto = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  version: Type.Integer({ description: 'this configuration is that immutable version' }),
  latestVersion: Type.Integer(),
  packageType: Type.String({ description: 'Zip or Image' }),
  runtime: Type.Union([Type.String(), Type.Null()], { description: 'null for an image: its entry point is its runtime' }),
  handler: Type.Union([Type.String(), Type.Null()]),
  memoryMb: Type.Integer(),
  timeoutS: Type.Integer(),
  architecture: Type.String(),
  ephemeralStorageMb: Type.Integer(),
  environment: Type.Record(Type.String(), Type.String()),
  reservedConcurrency: Type.Union([Type.Integer(), Type.Null()]),
  codeSha256: Type.String({ description: "hex SHA-256 of the zip (an image: its manifest digest's hex)" }),
  codeSize: Type.Integer({ description: 'bytes, zipped (an image: its blobs)' }),
  codeUnzippedSize: Type.Integer({ description: 'bytes, unzipped (an image: its layers unpacked)' }),
  imageDigest: Type.Union([Type.String(), Type.Null()], { description: "an image's manifest digest (sha256:...)" }),
  imageConfig: Type.Union([ImageConfigSchema, Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  lastModified: Type.String({ format: 'date-time', description: 'when this version was made' }),
});

export const ConcurrencyDto = Type.Object({
  limit: Type.Integer({
    description: "most invocations of the account at once: the operator's limit for the account, else TALLY_ACCOUNT_CONCURRENCY",
  }),
  reserved: Type.Integer({ description: "what the account's functions reserve together (their latest versions)" }),
  unreserved: Type.Integer({ description: 'what the functions without a reservation share' }),
  minUnreserved: Type.Integer({
    description:
      "what reservations must leave to them (TALLY_UNRESERVED_CONCURRENCY_MIN; unset, a tenth of the account's limit, at most 100)",
  }),
});

export const FunctionListDto = Type.Object({ functions: Type.Array(FunctionDto), next: Type.Union([Type.String(), Type.Null()]) });
export const VersionListDto = Type.Object({
  versions: Type.Array(FunctionDto),
  next: Type.Union([Type.Integer(), Type.Null()], { description: 'pass as `after` for the next page' }),
});
export const ListVersionsQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 1000 }),
    after: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647, description: 'the last version of the previous page' })),
  },
  { additionalProperties: false },
);

export const toFunctionDto = (f: FunctionConfig) => ({
  ...f,
  createdAt: f.createdAt.toISOString(),
  lastModified: f.lastModified.toISOString(),
});
