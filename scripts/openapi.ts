// `npm run openapi`: writes the API document (openapi.json, as /docs/json serves it) and the typed
// client's schema (src/client/schema.d.ts) generated from it. The tests fail while either is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CLIENT_SCHEMA, generateContract, OPENAPI_JSON } from './openapi-contract.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { document, types } = await generateContract();
writeFileSync(`${root}${OPENAPI_JSON}`, document);
writeFileSync(`${root}${CLIENT_SCHEMA}`, types);
console.log(`wrote ${OPENAPI_JSON} and ${CLIENT_SCHEMA}`);
