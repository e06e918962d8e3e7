import openapiTS, { astToString } from 'openapi-typescript';
import { buildOpenApiDocument } from '../src/openapi/document.js';

/** Where the exported document and the client's generated types are committed. */
export const OPENAPI_JSON = 'openapi.json';
export const CLIENT_SCHEMA = 'src/client/schema.d.ts';

const HEADER = '// Generated from openapi.json by `npm run openapi` (openapi-typescript); do not edit.\n';

/** The API document as committed (`openapi.json`) and the client types generated from it. */
export async function generateContract(): Promise<{ document: string; types: string }> {
  const doc = await buildOpenApiDocument();
  const document = `${JSON.stringify(doc, null, 2)}\n`;
  const types = HEADER + astToString(await openapiTS(doc as unknown as Parameters<typeof openapiTS>[0]));
  return { document, types };
}
