// A Node.js function (runtime "nodejs", handler "index.handler"): an ES module, as index.mjs.
// index.js (CommonJS: exports.handler = ...) and index.cjs work the same way.
export const handler = async (event, context) => {
  console.log('event received', JSON.stringify(event));
  const name = typeof event?.name === 'string' ? event.name : 'world';
  return {
    message: `Hello, ${name}!`,
    requestId: context.awsRequestId,
    function: `${context.functionName} (version ${context.functionVersion}, ${context.memoryLimitInMB} MB)`,
    remainingMs: context.getRemainingTimeInMillis(),
  };
};
