import { Type } from 'typebox';
import { UUID_PATTERN } from '../contracts/usage.js';

/** The one error shape (docs/architecture.md), declared once for every route's responses. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      requestId: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: 'ErrorBody', description: 'Every 4xx and 5xx answer' },
);

export const errorResponses = {
  400: Type.Ref('ErrorBody'),
  401: Type.Ref('ErrorBody'),
  403: Type.Ref('ErrorBody'),
  404: Type.Ref('ErrorBody'),
} as const;

export const Uuid = Type.String({ pattern: UUID_PATTERN });

/** A non-JSON answer (a zip, a blob, a text exposition), for the API document; the body is sent as is. */
export const binary = (mediaType: string, description: string) => ({
  description,
  content: { [mediaType]: { schema: { type: 'string', format: 'binary' } } },
});
