// Generated from openapi.json by `npm run openapi` (openapi-typescript); do not edit.
export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The process is up */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The database answers and every migration is applied */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List accounts (admin) */
        get: operations["listAccounts"];
        put?: never;
        /** Create an account (admin) */
        post: operations["createAccount"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One account (admin, or its own key) */
        get: operations["getAccount"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Switch the free tier on or off (admin; audited) */
        patch: operations["updateAccount"];
        trace?: never;
    };
    "/v1/accounts/{id}/concurrency-limit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set or clear the account's own concurrency limit (admin; audited) */
        put: operations["setAccountConcurrencyLimit"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{id}/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An account's keys, without their secrets */
        get: operations["listAccountKeys"];
        put?: never;
        /** Create an account key or an account-scoped executor key (admin); the key is shown once */
        post: operations["createAccountKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Platform-wide keys (admin) */
        get: operations["listPlatformKeys"];
        put?: never;
        /** Create a platform-wide executor (fleet) or admin key (admin); shown once */
        post: operations["createPlatformKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a key (admin, or a key of the same account) */
        delete: operations["revokeKey"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Usage per hour, day or month from the rollups; Accept: text/csv for CSV */
        get: operations["getUsage"];
        put?: never;
        /** Ingest a batch of 1 to 10,000 usage events (executor key); idempotent on the invocation id */
        post: operations["ingestUsage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/usage/quarantine": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Quarantined usage events, oldest first (admin) */
        get: operations["listQuarantinedUsage"];
        put?: never;
        /** An executor hands over usage events the api refused for good (executor key); stored once each, never billed here */
        post: operations["quarantineUsage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/usage/quarantine/{id}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Run a quarantined event through ingest, optionally corrected (admin; audited); ingest bills an invocation once however often it is replayed */
        post: operations["replayQuarantinedUsage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/prices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The price catalog: the version in force and every version */
        get: operations["listPrices"];
        put?: never;
        /** Add a price version effective from a future month (admin; audited) */
        post: operations["createPriceVersion"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/quote": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Price hypothetical monthly workloads on the live catalog; nothing is stored */
        post: operations["quote"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/invoices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An account's invoices, with the draft of the current (or asked-for, unfinalized) month computed on read, never stored; an admin without X-Account-Id sees every account's stored invoices */
        get: operations["listInvoices"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/invoices/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One invoice: JSON, or Accept: text/csv or text/html for the same invoice rendered */
        get: operations["getInvoice"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/invoices/{id}/lines/{lineId}/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The hourly rollups behind a line (and with ?invocations=true the invocations) */
        get: operations["getInvoiceLineUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/invoices/run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Finalize every account's invoice for a closed month (admin); idempotent */
        post: operations["runInvoices"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/invoices/{id}/void": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Void a finalized invoice with a reason (admin; audited) */
        post: operations["voidInvoice"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/cost/current": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Month-to-date cost with the free tier applied, free tier left, a month-end forecast, and each budget against them */
        get: operations["getCurrentCost"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/budgets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An account's budgets (an admin without X-Account-Id sees every account's) */
        get: operations["listBudgets"];
        put?: never;
        /** Create a monthly budget; the answer carries the webhook signing secret, shown once (audited) */
        post: operations["createBudget"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/budgets/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One budget */
        get: operations["getBudget"];
        put?: never;
        post?: never;
        /** Delete a budget (audited); its alerts stay, undelivered ones are cancelled */
        delete: operations["deleteBudget"];
        options?: never;
        head?: never;
        /** Change a budget (audited); raising a capped amount lifts the cap */
        patch: operations["updateBudget"];
        trace?: never;
    };
    "/v1/alerts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Budget alerts, newest first, with their delivery state
         * @description An alert is kept for TALLY_RECORD_RETENTION_DAYS (30 by default) after its month can no longer be evaluated (the first day of the next) and its delivery ended.
         */
        get: operations["listAlerts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/alerts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One alert with its webhook delivery history
         * @description 404 ALERT_NOT_FOUND once the record retention removed it (GET /v1/alerts).
         */
        get: operations["getAlert"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/alerts/{id}/redeliver": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send the alert to the webhook again now (same id and body, newly signed)
         * @description 404 ALERT_NOT_FOUND once the record retention removed it (GET /v1/alerts).
         */
        post: operations["redeliverAlert"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The append-only log of every change that affects money (admin), newest first */
        get: operations["listAuditEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/functions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's functions (latest versions), by name */
        get: operations["listFunctions"];
        put?: never;
        /** Create a function: JSON with a base64 zipFile (or imageArchive with packageType Image), or a raw application/zip (or application/x-tar) body with the settings in the query string */
        post: operations["createFunction"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/concurrency": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's concurrency: its limit, what its functions reserve, and what the others share */
        get: operations["getAccountConcurrency"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/functions/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A function's configuration (latest version, or ?version=N) */
        get: operations["getFunction"];
        put?: never;
        post?: never;
        /** Delete a function, every version, and code no other function uses */
        delete: operations["deleteFunction"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/functions/{name}/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A function's versions, oldest first, a page at a time */
        get: operations["listFunctionVersions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/functions/{name}/code": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** New code (JSON with zipFile or imageArchive, or a raw zip or tar): makes a new version */
        put: operations["updateFunctionCode"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/functions/{name}/configuration": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change settings: makes a new version (environment is replaced whole) */
        patch: operations["updateFunctionConfiguration"];
        trace?: never;
    };
    "/v1/functions/{name}/invoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Run a function: synchronously (the answer is the function's result, X-Tally-* headers), or queued with X-Tally-Invocation-Type: Event (202) */
        post: operations["invokeFunction"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/invocations/{requestId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One invocation: an asynchronous one by its request id (or an attempt of it), a synchronous one once its usage arrived
         * @description An asynchronous invocation is kept for TALLY_RECORD_RETENTION_DAYS (30 by default) after it finished (and its destination delivery did); then 404 INVOCATION_NOT_FOUND by its request id. An invocation id of one of its runs is then answered from its usage, as a synchronous one.
         */
        get: operations["getInvocation"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/functions/{name}/invocations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A function's asynchronous invocations, newest first, by status
         * @description Finished ones are listed for TALLY_RECORD_RETENTION_DAYS (30 by default) after they finished.
         */
        get: operations["listFunctionInvocations"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/functions/{name}/event-invoke-config": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Retries, age limit and destinations of the asynchronous invocations of the function, or of its alias or version (?qualifier=): the defaults until set */
        get: operations["getEventInvokeConfig"];
        /** Replace the event-invoke-config of the function, or of its alias or version (?qualifier=); the answer carries its webhook signing secret when it was just made */
        put: operations["putEventInvokeConfig"];
        post?: never;
        /** Back to the defaults, no destinations, for the function or its alias or version (?qualifier=) */
        delete: operations["deleteEventInvokeConfig"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/functions/{name}/event-invoke-configs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every event-invoke-config set on the function: $LATEST's, then its versions', then its aliases' */
        get: operations["listEventInvokeConfigs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/schedules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Schedules by name, with their next and last fire times */
        get: operations["listSchedules"];
        put?: never;
        /** Create a schedule: each tick invokes the target asynchronously */
        post: operations["createSchedule"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/schedules/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One schedule */
        get: operations["getSchedule"];
        put?: never;
        post?: never;
        /** Delete a schedule */
        delete: operations["deleteSchedule"];
        options?: never;
        head?: never;
        /** Change a schedule (enable, disable, expression, target...) */
        patch: operations["updateSchedule"];
        trace?: never;
    };
    "/v1/schedules/{name}/ticks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The ticks a schedule fired, newest first, with the asynchronous invocation each queued
         * @description Ticks are kept for TALLY_RECORD_RETENTION_DAYS (30 by default).
         */
        get: operations["listScheduleTicks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/functions/{name}/url": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The function's URL, or its alias's (?qualifier=) */
        get: operations["getFunctionUrl"];
        /** Give the function, or its alias (?qualifier=), a URL (or change its auth and CORS; the URL stays) */
        put: operations["putFunctionUrl"];
        post?: never;
        /** Remove the function's URL, or its alias's (?qualifier=) */
        delete: operations["deleteFunctionUrl"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/functions/{name}/urls": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every URL of the function: its own, then its aliases' */
        get: operations["listFunctionUrls"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/event-source-mappings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Event source mappings, by id */
        get: operations["listEventSourceMappings"];
        put?: never;
        /** Create an event source mapping: a queue, topic or stream polled into the function, or an S3 notification webhook */
        post: operations["createEventSourceMapping"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/event-source-mappings/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One mapping, with its state, last processing result and lag */
        get: operations["getEventSourceMapping"];
        put?: never;
        post?: never;
        /** Delete a mapping (answers it, in state Deleting) */
        delete: operations["deleteEventSourceMapping"];
        options?: never;
        head?: never;
        /** Change a mapping: its function or alias, batching, retries, failure destination, or enable/disable it */
        patch: operations["updateEventSourceMapping"];
        trace?: never;
    };
    "/v1/event-source-mappings/{id}/notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** S3 event notifications (MinIO, Ceph RGW, Garage) for an s3-webhook mapping: Authorization: Bearer <its token> */
        post: operations["postS3Notifications"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executors/register": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** An executor announces itself (platform executor key); it gets work while it heartbeats */
        post: operations["registerExecutor"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executors/{id}/heartbeat": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** An executor is alive, with its load; 404 means register again */
        post: operations["heartbeatExecutor"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executors/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** With its own key: an executor leaves (graceful shutdown) and gets no more work. With an admin key: the executor is removed and its key revoked */
        delete: operations["deregisterExecutor"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executors": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Registered executors and their last reported load (admin) */
        get: operations["listExecutors"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/code/{sha256}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A function's zip by its SHA-256 (executor key) */
        get: operations["getFunctionCode"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/images/blobs/{digest}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A container image's blob (manifest, config or layer) by its digest, streamed (executor key) */
        get: operations["getImageBlob"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Ingest function log lines (executor key); each (request id, seq) is stored once */
        post: operations["ingestLogs"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/functions/{name}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A function's log lines, oldest first, paged; Accept: text/event-stream follows them live (SSE) */
        get: operations["getFunctionLogs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{id}/log-retention": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** How many days the account's function logs are kept (admin, or its own key) */
        get: operations["getLogRetention"];
        /** Set how many days the account's function logs are kept, 1 to 3653 (admin, or its own key) */
        put: operations["setLogRetention"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/functions/{name}/published-versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Published versions, oldest first */
        get: operations["listPublishedVersions"];
        put?: never;
        /** Publish the latest version (again: the same version), so aliases may name it */
        post: operations["publishFunctionVersion"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/functions/{name}/aliases/{alias}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One alias */
        get: operations["getFunctionAlias"];
        /** Create or move an alias; invoke it with ?alias=<name> */
        put: operations["putFunctionAlias"];
        post?: never;
        /** Delete an alias */
        delete: operations["deleteFunctionAlias"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/functions/{name}/aliases": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A function's aliases, by name */
        get: operations["listFunctionAliases"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{id}/access-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An account's access keys, without their secrets */
        get: operations["listAccessKeys"];
        put?: never;
        /** Create an access key for the Lambda API (SigV4, service lambda, any region); the secret is shown once */
        post: operations["createAccessKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{id}/access-keys/{accessKeyId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an access key */
        delete: operations["deleteAccessKey"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description Every 4xx and 5xx answer */
        ErrorBody: {
            error: {
                code: string;
                message: string;
                requestId: string;
                details?: unknown;
            };
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        status: string;
                        detail?: string;
                        /** @description 'off' when a live executor runs functions unisolated (TALLY_SANDBOX=off): never with untrusted code */
                        sandbox?: "on" | "off";
                    };
                };
            };
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        status: string;
                        detail?: string;
                        /** @description 'off' when a live executor runs functions unisolated (TALLY_SANDBOX=off): never with untrusted code */
                        sandbox?: "on" | "off";
                    };
                };
            };
            /** @description Default Response */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        status: string;
                        detail?: string;
                        /** @description 'off' when a live executor runs functions unisolated (TALLY_SANDBOX=off): never with untrusted code */
                        sandbox?: "on" | "off";
                    } | components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus metrics */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
        };
    };
    listAccounts: {
        parameters: {
            query?: {
                limit?: number;
                after?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        accounts: {
                            id: string;
                            name: string;
                            freeTier: boolean;
                            /** @description most invocations of the account at once, set by the operator; null: the deployment's default (TALLY_ACCOUNT_CONCURRENCY). GET /v1/concurrency has the figures in effect */
                            concurrencyLimit: number | null;
                            /** Format: date-time */
                            createdAt: string;
                        }[];
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    createAccount: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    /** @default true */
                    freeTier?: boolean;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        name: string;
                        freeTier: boolean;
                        /** @description most invocations of the account at once, set by the operator; null: the deployment's default (TALLY_ACCOUNT_CONCURRENCY). GET /v1/concurrency has the figures in effect */
                        concurrencyLimit: number | null;
                        /** Format: date-time */
                        createdAt: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getAccount: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        name: string;
                        freeTier: boolean;
                        /** @description most invocations of the account at once, set by the operator; null: the deployment's default (TALLY_ACCOUNT_CONCURRENCY). GET /v1/concurrency has the figures in effect */
                        concurrencyLimit: number | null;
                        /** Format: date-time */
                        createdAt: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    updateAccount: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    freeTier: boolean;
                    /** @description why: written to the audit log */
                    reason: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        name: string;
                        freeTier: boolean;
                        /** @description most invocations of the account at once, set by the operator; null: the deployment's default (TALLY_ACCOUNT_CONCURRENCY). GET /v1/concurrency has the figures in effect */
                        concurrencyLimit: number | null;
                        /** Format: date-time */
                        createdAt: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    setAccountConcurrencyLimit: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description most invocations of the account at once; null: back to the deployment's default (TALLY_ACCOUNT_CONCURRENCY) */
                    limit: number | null;
                    /** @description why: written to the audit log */
                    reason: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        name: string;
                        freeTier: boolean;
                        /** @description most invocations of the account at once, set by the operator; null: the deployment's default (TALLY_ACCOUNT_CONCURRENCY). GET /v1/concurrency has the figures in effect */
                        concurrencyLimit: number | null;
                        /** Format: date-time */
                        createdAt: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listAccountKeys: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        keys: {
                            id: string;
                            accountId: string | null;
                            role: string;
                            /** @description The first characters of the key, to recognise it */
                            prefix: string;
                            label: string | null;
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            revokedAt: string | null;
                        }[];
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    createAccountKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {unknown} */
                    role: "account" | "executor";
                    label?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        accountId: string | null;
                        role: string;
                        /** @description The first characters of the key, to recognise it */
                        prefix: string;
                        label: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        revokedAt: string | null;
                    } & {
                        /** @description The key itself: shown this once, stored only as a hash */
                        key: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listPlatformKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        keys: {
                            id: string;
                            accountId: string | null;
                            role: string;
                            /** @description The first characters of the key, to recognise it */
                            prefix: string;
                            label: string | null;
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            revokedAt: string | null;
                        }[];
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    createPlatformKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {unknown} */
                    role: "executor" | "admin";
                    label?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        accountId: string | null;
                        role: string;
                        /** @description The first characters of the key, to recognise it */
                        prefix: string;
                        label: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        revokedAt: string | null;
                    } & {
                        /** @description The key itself: shown this once, stored only as a hash */
                        key: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    revokeKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        accountId: string | null;
                        role: string;
                        /** @description The first characters of the key, to recognise it */
                        prefix: string;
                        label: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        revokedAt: string | null;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getUsage: {
        parameters: {
            query?: {
                /** @description inclusive, rounded down to the hour; default: the start of the UTC month `to` ends in (this month without `to`) */
                from?: string;
                /** @description exclusive, rounded up to the hour; default: now */
                to?: string;
                granularity?: "hour" | "day" | "month";
                groupBy?: "function" | "architecture";
                functionId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "accountId": "0e5c3b1a-7f0d-4d52-8a4e-2c1b9f6e3d70",
                     *       "from": "2026-11-01T00:00:00.000Z",
                     *       "to": "2026-11-02T00:00:00.000Z",
                     *       "granularity": "day",
                     *       "groupBy": "function",
                     *       "buckets": [
                     *         {
                     *           "start": "2026-11-01T00:00:00.000Z",
                     *           "functionId": "hello",
                     *           "requests": 3,
                     *           "billedMs": 45,
                     *           "gbSeconds": "0.005625",
                     *           "errors": 0,
                     *           "timeouts": 0
                     *         }
                     *       ],
                     *       "totals": {
                     *         "requests": 3,
                     *         "billedMs": 45,
                     *         "gbSeconds": "0.005625",
                     *         "errors": 0,
                     *         "timeouts": 0
                     *       }
                     *     }
                     */
                    "application/json": {
                        accountId: string;
                        /** Format: date-time */
                        from: string;
                        /** Format: date-time */
                        to: string;
                        granularity: string;
                        groupBy: string | null;
                        buckets: {
                            /** Format: date-time */
                            start: string;
                            functionId?: string | null;
                            architecture?: string | null;
                            requests: number;
                            /** @description billed milliseconds (cap and init applied) */
                            billedMs: number;
                            /** @description exact decimal: MB-ms / 1024 / 1000 */
                            gbSeconds: string;
                            errors: number;
                            timeouts: number;
                        }[];
                        totals: {
                            requests: number;
                            /** @description billed milliseconds (cap and init applied) */
                            billedMs: number;
                            /** @description exact decimal: MB-ms / 1024 / 1000 */
                            gbSeconds: string;
                            errors: number;
                            timeouts: number;
                        };
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    ingestUsage: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    events: {
                        invocationId: string;
                        accountId: string;
                        functionId: string;
                        /** @enum {unknown} */
                        architecture: "x86_64" | "arm64";
                        memoryMb: number;
                        durationMs: number;
                        /** Format: date-time */
                        startedAt: string;
                        /** @enum {unknown} */
                        status: "success" | "error" | "timeout";
                        initDurationMs?: number;
                        maxMemoryUsedMb?: number;
                        ephemeralStorageMb?: number;
                        /** @description signed by the api when it dispatched the invocation; required with a platform-wide executor key */
                        dispatchToken?: string;
                    }[];
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description events stored and counted now */
                        accepted: number;
                        /** @description replays of events already counted (same content; startedAt may differ) */
                        duplicates: number;
                        /** @description known invocation ids whose content differs: never counted twice */
                        conflicts: number;
                        /** @description the first 100 conflicting invocation ids */
                        conflictIds: string[];
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "PAYLOAD_TOO_LARGE",
                     *         "message": "The request body is larger than this route accepts",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listQuarantinedUsage: {
        parameters: {
            query?: {
                accountId?: string;
                invocationId?: string;
                /** @description true: only replayed entries; false: only those still waiting */
                replayed?: boolean;
                limit?: number;
                /** @description the previous page's `next` (an entry id, as earlier releases answered, is still taken) */
                after?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        entries: {
                            id: string;
                            /** @description the event's accountId when it was readable, else empty */
                            accountId: string;
                            /** @description the event's invocationId when it was readable, else empty */
                            invocationId: string;
                            /** @description the refused event exactly as the executor held it */
                            event: unknown;
                            /** @description why the api refused it */
                            reason: string;
                            executorId: string | null;
                            /** @description the key that reported it: an executor key, or an account-scoped one */
                            keyId: string | null;
                            /** Format: date-time */
                            receivedAt: string;
                            /** Format: date-time */
                            replayedAt: string | null;
                            replayedBy: string | null;
                            replayOutcome: ("accepted" | "duplicate" | "conflict") | (never | null);
                        }[];
                        /** @description pass as `after` for the next page: where this page ended, which holds even once retention removed its last entry */
                        next: string | null;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    quarantineUsage: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    entries: {
                        /** @description the refused event, exactly as sent (it may not be a valid event) */
                        event: unknown;
                        reason: string;
                    }[];
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description entries stored now */
                        stored: number;
                        /** @description entries already stored (a report sent again) */
                        duplicates: number;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "PAYLOAD_TOO_LARGE",
                     *         "message": "The request body is larger than this route accepts",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    replayQuarantinedUsage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    set?: {
                        invocationId?: string;
                        accountId?: string;
                        functionId?: string;
                        /** @enum {unknown} */
                        architecture?: "x86_64" | "arm64";
                        memoryMb?: number;
                        durationMs?: number;
                        /** Format: date-time */
                        startedAt?: string;
                        /** @enum {unknown} */
                        status?: "success" | "error" | "timeout";
                        initDurationMs?: number;
                        maxMemoryUsedMb?: number;
                        ephemeralStorageMb?: number;
                    };
                    /** @description why: written to the audit log */
                    reason: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        /**
                         * @description accepted: billed now; duplicate: already billed; conflict: another content was billed
                         * @enum {unknown}
                         */
                        outcome: "accepted" | "duplicate" | "conflict";
                        /** @description the event as ingested */
                        event: unknown;
                        result: {
                            /** @description events stored and counted now */
                            accepted: number;
                            /** @description replays of events already counted (same content; startedAt may differ) */
                            duplicates: number;
                            /** @description known invocation ids whose content differs: never counted twice */
                            conflicts: number;
                            /** @description the first 100 conflicting invocation ids */
                            conflictIds: string[];
                        };
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "CONFLICT",
                     *         "message": "The resource exists already or is in a state that forbids this",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listPrices: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        current: {
                            id: string;
                            /** @description YYYY-MM */
                            effectiveFrom: string;
                            currency: string;
                            requestPricePerMillion: string;
                            compute: {
                                x86_64: {
                                    /** @description cumulative upper bound of the tier, GB-s per month */
                                    upToGbSeconds: string | null;
                                    /** @description USD per GB-s */
                                    unitPrice: string;
                                }[];
                                arm64: {
                                    /** @description cumulative upper bound of the tier, GB-s per month */
                                    upToGbSeconds: string | null;
                                    /** @description USD per GB-s */
                                    unitPrice: string;
                                }[];
                            };
                            ephemeralPerGbSecond: string;
                            freeRequests: number;
                            freeGbSeconds: string;
                            billsInit: boolean;
                        };
                        versions: {
                            id: string;
                            /** @description YYYY-MM */
                            effectiveFrom: string;
                            currency: string;
                            requestPricePerMillion: string;
                            compute: {
                                x86_64: {
                                    /** @description cumulative upper bound of the tier, GB-s per month */
                                    upToGbSeconds: string | null;
                                    /** @description USD per GB-s */
                                    unitPrice: string;
                                }[];
                                arm64: {
                                    /** @description cumulative upper bound of the tier, GB-s per month */
                                    upToGbSeconds: string | null;
                                    /** @description USD per GB-s */
                                    unitPrice: string;
                                }[];
                            };
                            ephemeralPerGbSecond: string;
                            freeRequests: number;
                            freeGbSeconds: string;
                            billsInit: boolean;
                        }[];
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    createPriceVersion: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    id: string;
                    /** @description YYYY-MM, a future month */
                    effectiveFrom: string;
                    /** @description USD per 1M requests */
                    requestPricePerMillion: string;
                    compute: {
                        x86_64: {
                            /** @description cumulative upper bound of the tier, GB-s per month */
                            upToGbSeconds: string | null;
                            /** @description USD per GB-s */
                            unitPrice: string;
                        }[];
                        arm64: {
                            /** @description cumulative upper bound of the tier, GB-s per month */
                            upToGbSeconds: string | null;
                            /** @description USD per GB-s */
                            unitPrice: string;
                        }[];
                    };
                    /** @description USD per GB-s of ephemeral storage above 512 MB */
                    ephemeralPerGbSecond: string;
                    /** @description free requests per month */
                    freeRequests: number;
                    /** @description free GB-s per month */
                    freeGbSeconds: string;
                    billsInit: boolean;
                    reason: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        /** @description YYYY-MM */
                        effectiveFrom: string;
                        currency: string;
                        requestPricePerMillion: string;
                        compute: {
                            x86_64: {
                                /** @description cumulative upper bound of the tier, GB-s per month */
                                upToGbSeconds: string | null;
                                /** @description USD per GB-s */
                                unitPrice: string;
                            }[];
                            arm64: {
                                /** @description cumulative upper bound of the tier, GB-s per month */
                                upToGbSeconds: string | null;
                                /** @description USD per GB-s */
                                unitPrice: string;
                            }[];
                        };
                        ephemeralPerGbSecond: string;
                        freeRequests: number;
                        freeGbSeconds: string;
                        billsInit: boolean;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "CONFLICT",
                     *         "message": "The resource exists already or is in a state that forbids this",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    quote: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @default true */
                    freeTier: boolean;
                    workloads: {
                        /** @enum {unknown} */
                        architecture: "x86_64" | "arm64";
                        memoryMb: number;
                        requests: number;
                        /** @description per request; rounded up to the ms per request */
                        durationMs: number;
                        ephemeralStorageMb?: number;
                    }[];
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        priceVersion: string;
                        currency: string;
                        freeTier: boolean;
                        lines: {
                            id?: string;
                            kind: string;
                            architecture: string | null;
                            tier: number | null;
                            description: string;
                            quantity: string;
                            freeQuantity: string;
                            billableQuantity: string;
                            unitPrice: string;
                            amount: string;
                        }[];
                        total: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listInvoices: {
        parameters: {
            query?: {
                /** @description YYYY-MM */
                period?: string;
                status?: "draft" | "finalized" | "void";
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "invoices": [
                     *         {
                     *           "id": "inv_2026-10_7d1e",
                     *           "accountId": "0e5c3b1a-7f0d-4d52-8a4e-2c1b9f6e3d70",
                     *           "period": "2026-10",
                     *           "status": "finalized",
                     *           "currency": "USD",
                     *           "total": "0.10",
                     *           "priceVersion": "2026-01",
                     *           "freeTier": true,
                     *           "createdAt": "2026-11-01T00:05:00.000Z",
                     *           "updatedAt": "2026-11-01T00:05:00.000Z",
                     *           "finalizedAt": "2026-11-01T00:05:00.000Z",
                     *           "voidedAt": null,
                     *           "voidReason": null,
                     *           "lines": [
                     *             {
                     *               "id": "requests-x86_64",
                     *               "kind": "requests",
                     *               "architecture": "x86_64",
                     *               "tier": null,
                     *               "adjustsPeriod": null,
                     *               "description": "Requests (x86_64)",
                     *               "quantity": "1500000",
                     *               "freeQuantity": "1000000",
                     *               "billableQuantity": "500000",
                     *               "unitPrice": "0.0000002",
                     *               "amount": "0.10"
                     *             }
                     *           ]
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        invoices: {
                            id: string;
                            accountId: string;
                            period: string;
                            status: string;
                            currency: string;
                            total: string;
                            priceVersion: string;
                            freeTier: boolean;
                            createdAt: string;
                            updatedAt: string;
                            finalizedAt: string | null;
                            voidedAt: string | null;
                            voidReason: string | null;
                            lines: {
                                id: string;
                                kind: string;
                                architecture: string | null;
                                tier: number | null;
                                adjustsPeriod: string | null;
                                description: string;
                                quantity: string;
                                freeQuantity: string;
                                billableQuantity: string;
                                unitPrice: string;
                                amount: string;
                            }[];
                        }[];
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getInvoice: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "inv_2026-10_7d1e",
                     *       "accountId": "0e5c3b1a-7f0d-4d52-8a4e-2c1b9f6e3d70",
                     *       "period": "2026-10",
                     *       "status": "finalized",
                     *       "currency": "USD",
                     *       "total": "0.10",
                     *       "priceVersion": "2026-01",
                     *       "freeTier": true,
                     *       "createdAt": "2026-11-01T00:05:00.000Z",
                     *       "updatedAt": "2026-11-01T00:05:00.000Z",
                     *       "finalizedAt": "2026-11-01T00:05:00.000Z",
                     *       "voidedAt": null,
                     *       "voidReason": null,
                     *       "lines": [
                     *         {
                     *           "id": "requests-x86_64",
                     *           "kind": "requests",
                     *           "architecture": "x86_64",
                     *           "tier": null,
                     *           "adjustsPeriod": null,
                     *           "description": "Requests (x86_64)",
                     *           "quantity": "1500000",
                     *           "freeQuantity": "1000000",
                     *           "billableQuantity": "500000",
                     *           "unitPrice": "0.0000002",
                     *           "amount": "0.10"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        id: string;
                        accountId: string;
                        period: string;
                        status: string;
                        currency: string;
                        total: string;
                        priceVersion: string;
                        freeTier: boolean;
                        createdAt: string;
                        updatedAt: string;
                        finalizedAt: string | null;
                        voidedAt: string | null;
                        voidReason: string | null;
                        lines: {
                            id: string;
                            kind: string;
                            architecture: string | null;
                            tier: number | null;
                            adjustsPeriod: string | null;
                            description: string;
                            quantity: string;
                            freeQuantity: string;
                            billableQuantity: string;
                            unitPrice: string;
                            amount: string;
                        }[];
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getInvoiceLineUsage: {
        parameters: {
            query?: {
                invocations?: boolean;
                limit?: number;
            };
            header?: never;
            path: {
                id: string;
                lineId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        invoiceId: string;
                        lineId: string;
                        period: string;
                        /** @description what this invoice billed of the line's month (its own usage, or for an adjustment the late usage it added); null for a draft. `hours` are the month as it stands now, late usage included */
                        billed: {
                            /**
                             * Format: date-time
                             * @description when this invoice billed it
                             */
                            asOf: string;
                            requests: number;
                            x86GbSeconds: string;
                            armGbSeconds: string;
                            ephemeralGbSeconds: string;
                            /** @description later invoices whose adjustments billed usage of this month that arrived after this one */
                            laterInvoices: string[];
                        } | null;
                        hours: {
                            /** Format: date-time */
                            hour: string;
                            functionId: string;
                            architecture: string;
                            requests: number;
                            billedMs: number;
                            gbSeconds: string;
                            initGbSeconds: string;
                            ephemeralGbSeconds: string;
                            initEphemeralGbSeconds: string;
                        }[];
                        invocations?: {
                            invocationId: string;
                            functionId: string;
                            architecture: string;
                            /** Format: date-time */
                            startedAt: string;
                            billedMs: number;
                            memoryMb: number;
                            status: string;
                        }[];
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    runInvoices: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description YYYY-MM, a closed month */
                    period: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        period: string;
                        finalized: number;
                        alreadyFinalized: number;
                        total: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "CONFLICT",
                     *         "message": "The resource exists already or is in a state that forbids this",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    voidInvoice: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        accountId: string;
                        period: string;
                        status: string;
                        currency: string;
                        total: string;
                        priceVersion: string;
                        freeTier: boolean;
                        createdAt: string;
                        updatedAt: string;
                        finalizedAt: string | null;
                        voidedAt: string | null;
                        voidReason: string | null;
                        lines: {
                            id: string;
                            kind: string;
                            architecture: string | null;
                            tier: number | null;
                            adjustsPeriod: string | null;
                            description: string;
                            quantity: string;
                            freeQuantity: string;
                            billableQuantity: string;
                            unitPrice: string;
                            amount: string;
                        }[];
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "CONFLICT",
                     *         "message": "The resource exists already or is in a state that forbids this",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getCurrentCost: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "accountId": "0e5c3b1a-7f0d-4d52-8a4e-2c1b9f6e3d70",
                     *       "period": "2026-11",
                     *       "asOf": "2026-11-15T12:00:00.000Z",
                     *       "currency": "USD",
                     *       "priceVersion": "2026-01",
                     *       "total": "0.10",
                     *       "lines": [
                     *         {
                     *           "kind": "requests",
                     *           "architecture": "x86_64",
                     *           "tier": null,
                     *           "adjustsPeriod": null,
                     *           "description": "Requests (x86_64)",
                     *           "quantity": "1500000",
                     *           "freeQuantity": "1000000",
                     *           "billableQuantity": "500000",
                     *           "unitPrice": "0.0000002",
                     *           "amount": "0.10"
                     *         }
                     *       ],
                     *       "freeTier": {
                     *         "enabled": true,
                     *         "requestsUsed": 1000000,
                     *         "requestsRemaining": 0,
                     *         "gbSecondsUsed": "1200.000000",
                     *         "gbSecondsRemaining": "398800.000000"
                     *       },
                     *       "forecast": {
                     *         "total": "0.20",
                     *         "method": "linear",
                     *         "elapsedFraction": "0.48"
                     *       },
                     *       "budgets": []
                     *     }
                     */
                    "application/json": {
                        accountId: string;
                        period: string;
                        asOf: string;
                        currency: string;
                        priceVersion: string;
                        total: string;
                        lines: {
                            kind: string;
                            architecture: string | null;
                            tier: number | null;
                            adjustsPeriod: string | null;
                            description: string;
                            quantity: string;
                            freeQuantity: string;
                            billableQuantity: string;
                            unitPrice: string;
                            amount: string;
                        }[];
                        freeTier: {
                            enabled: boolean;
                            requestsUsed: number;
                            requestsRemaining: number;
                            gbSecondsUsed: string;
                            gbSecondsRemaining: string;
                        };
                        forecast: {
                            total: string;
                            method: string;
                            elapsedFraction: string;
                        };
                        budgets: {
                            id: string;
                            amount: string;
                            basis: string;
                            functionId: string | null;
                            thresholds: number[];
                            hardCap: boolean;
                            period: string;
                            /** @description month to date, free tier applied (for a function: what it adds to the bill) */
                            spend: string;
                            /** @description spend as a percentage of amount */
                            percent: string;
                            /** @description month-end forecast, same method as forecast.total */
                            forecast: string;
                            forecastPercent: string;
                            /** @description a hard cap whose spend reached its amount: new invocations are refused */
                            capped: boolean;
                        }[];
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listBudgets: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        budgets: {
                            id: string;
                            accountId: string;
                            amount: string;
                            currency: string;
                            thresholds: number[];
                            basis: string;
                            functionId: string | null;
                            webhookUrl: string | null;
                            hardCap: boolean;
                            createdAt: string;
                            updatedAt: string;
                        }[];
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    createBudget: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "amount": "25.00",
                 *       "thresholds": [
                 *         50,
                 *         80,
                 *         100
                 *       ],
                 *       "basis": "actual",
                 *       "hardCap": false
                 *     }
                 */
                "application/json": {
                    /**
                     * @description USD per calendar month, a decimal string with at most 2 decimals, > 0
                     * @example 50.00
                     */
                    amount: string;
                    /** @description Percentages of the amount that raise an alert (default [50, 80, 100]) */
                    thresholds?: number[];
                    /**
                     * @description actual: month-to-date cost, free tier applied; forecast: month-end forecast
                     * @enum {unknown}
                     */
                    basis?: "actual" | "forecast";
                    /** @description Only this function, as usage names it (its name): what it adds to the account bill */
                    functionId?: string;
                    /** Format: uri */
                    webhookUrl?: string;
                    /** @description Refuse new invocations (402 BUDGET_EXCEEDED) once actual spend reaches the amount */
                    hardCap?: boolean;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        accountId: string;
                        amount: string;
                        currency: string;
                        thresholds: number[];
                        basis: string;
                        functionId: string | null;
                        webhookUrl: string | null;
                        hardCap: boolean;
                        createdAt: string;
                        updatedAt: string;
                    } & {
                        /** @description The webhook signing secret: shown this once */
                        secret: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "CONFLICT",
                     *         "message": "The resource exists already or is in a state that forbids this",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getBudget: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        accountId: string;
                        amount: string;
                        currency: string;
                        thresholds: number[];
                        basis: string;
                        functionId: string | null;
                        webhookUrl: string | null;
                        hardCap: boolean;
                        createdAt: string;
                        updatedAt: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    deleteBudget: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    updateBudget: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description USD per calendar month, a decimal string with at most 2 decimals, > 0
                     * @example 50.00
                     */
                    amount?: string;
                    /** @description Percentages of the amount that raise an alert (default [50, 80, 100]) */
                    thresholds?: number[];
                    /**
                     * @description actual: month-to-date cost, free tier applied; forecast: month-end forecast
                     * @enum {unknown}
                     */
                    basis?: "actual" | "forecast";
                    /** @description Only this function, as usage names it (its name): what it adds to the account bill */
                    functionId?: string | null;
                    /** Format: uri */
                    webhookUrl?: string | null;
                    hardCap?: boolean;
                    /** @description why: written to the audit log */
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        accountId: string;
                        amount: string;
                        currency: string;
                        thresholds: number[];
                        basis: string;
                        functionId: string | null;
                        webhookUrl: string | null;
                        hardCap: boolean;
                        createdAt: string;
                        updatedAt: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listAlerts: {
        parameters: {
            query?: {
                budgetId?: string;
                /** @description YYYY-MM */
                period?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        alerts: {
                            id: string;
                            accountId: string;
                            budgetId: string;
                            period: string;
                            threshold: number;
                            basis: string;
                            /** @description the basis value that crossed the threshold */
                            spend: string;
                            amount: string;
                            percent: string;
                            actual: string;
                            forecast: string;
                            createdAt: string;
                            delivery: {
                                /** @description none (no webhook), pending, delivered, failed (gave up after 3 days) or cancelled */
                                status: string;
                                /** @description attempts in the current round */
                                attempts: number;
                                nextAttemptAt: string | null;
                                giveUpAt: string | null;
                                deliveredAt: string | null;
                                lastError: string | null;
                            };
                        }[];
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getAlert: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        accountId: string;
                        budgetId: string;
                        period: string;
                        threshold: number;
                        basis: string;
                        /** @description the basis value that crossed the threshold */
                        spend: string;
                        amount: string;
                        percent: string;
                        actual: string;
                        forecast: string;
                        createdAt: string;
                        delivery: {
                            /** @description none (no webhook), pending, delivered, failed (gave up after 3 days) or cancelled */
                            status: string;
                            /** @description attempts in the current round */
                            attempts: number;
                            nextAttemptAt: string | null;
                            giveUpAt: string | null;
                            deliveredAt: string | null;
                            lastError: string | null;
                        };
                    } & {
                        history: {
                            at: string;
                            url: string;
                            statusCode: number | null;
                            error: string | null;
                            durationMs: number;
                        }[];
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    redeliverAlert: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        accountId: string;
                        budgetId: string;
                        period: string;
                        threshold: number;
                        basis: string;
                        /** @description the basis value that crossed the threshold */
                        spend: string;
                        amount: string;
                        percent: string;
                        actual: string;
                        forecast: string;
                        createdAt: string;
                        delivery: {
                            /** @description none (no webhook), pending, delivered, failed (gave up after 3 days) or cancelled */
                            status: string;
                            /** @description attempts in the current round */
                            attempts: number;
                            nextAttemptAt: string | null;
                            giveUpAt: string | null;
                            deliveredAt: string | null;
                            lastError: string | null;
                        };
                    } & {
                        history: {
                            at: string;
                            url: string;
                            statusCode: number | null;
                            error: string | null;
                            durationMs: number;
                        }[];
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "CONFLICT",
                     *         "message": "The resource exists already or is in a state that forbids this",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listAuditEvents: {
        parameters: {
            query?: {
                accountId?: string;
                action?: string;
                limit?: number;
                beforeId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        entries: {
                            id: string;
                            /** Format: date-time */
                            at: string;
                            actor: string;
                            action: string;
                            accountId: string | null;
                            subject: string | null;
                            reason: string | null;
                            details?: {
                                [key: string]: unknown;
                            };
                        }[];
                        /** @description pass as beforeId for the next page */
                        nextBeforeId: string | null;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listFunctions: {
        parameters: {
            query?: {
                limit?: number;
                /** @description the last name of the previous page */
                after?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "functions": [
                     *         {
                     *           "id": "5b0f7f3e-2a43-4c6a-9a53-0d3f1c7e9b21",
                     *           "name": "hello",
                     *           "version": 1,
                     *           "latestVersion": 1,
                     *           "packageType": "Zip",
                     *           "runtime": "nodejs",
                     *           "handler": "index.handler",
                     *           "memoryMb": 128,
                     *           "timeoutS": 3,
                     *           "architecture": "x86_64",
                     *           "ephemeralStorageMb": 512,
                     *           "environment": {
                     *             "GREETING": "hello"
                     *           },
                     *           "reservedConcurrency": null,
                     *           "codeSha256": "9f2c0a6e4b1d3c5a7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d",
                     *           "codeSize": 312,
                     *           "codeUnzippedSize": 164,
                     *           "imageDigest": null,
                     *           "imageConfig": {},
                     *           "createdAt": "2026-11-15T12:00:00.000Z",
                     *           "lastModified": "2026-11-15T12:00:00.000Z"
                     *         }
                     *       ],
                     *       "next": null
                     *     }
                     */
                    "application/json": {
                        functions: {
                            /** Format: uuid */
                            id: string;
                            name: string;
                            /** @description this configuration is that immutable version */
                            version: number;
                            latestVersion: number;
                            /** @description Zip or Image */
                            packageType: string;
                            /** @description null for an image: its entry point is its runtime */
                            runtime: string | null;
                            handler: string | null;
                            memoryMb: number;
                            timeoutS: number;
                            architecture: string;
                            ephemeralStorageMb: number;
                            environment: {
                                [key: string]: string;
                            };
                            reservedConcurrency: number | null;
                            /** @description hex SHA-256 of the zip (an image: its manifest digest's hex) */
                            codeSha256: string;
                            /** @description bytes, zipped (an image: its blobs) */
                            codeSize: number;
                            /** @description bytes, unzipped (an image: its layers unpacked) */
                            codeUnzippedSize: number;
                            /** @description an image's manifest digest (sha256:...) */
                            imageDigest: string | null;
                            /** @description overrides of the image's ENTRYPOINT, CMD and WORKDIR */
                            imageConfig: {
                                entryPoint?: string[];
                                command?: string[];
                                workingDirectory?: string;
                            } | null;
                            /** Format: date-time */
                            createdAt: string;
                            /**
                             * Format: date-time
                             * @description when this version was made
                             */
                            lastModified: string;
                        }[];
                        next: string | null;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    createFunction: {
        parameters: {
            query?: {
                /** @description unique in the account; letters, digits, - and _ */
                name?: string;
                /** @description nodejs, python, ruby, java or provided; AWS's identifiers (nodejs20.x, python3.11, ruby3.2, java17, provided.al2023...) too */
                runtime?: "nodejs" | "python" | "ruby" | "java" | "provided" | "nodejs18.x" | "nodejs20.x" | "python3.8" | "python3.9" | "python3.10" | "python3.11" | "ruby3.2" | "java8.al2" | "java11" | "java17" | "provided.al2" | "provided.al2023";
                /** @description index.handler (nodejs), app.handler (python), lambda_function.handler (ruby), package.Class::method (java); passed as _HANDLER */
                handler?: string;
                /** @description MB, default 128 */
                memoryMb?: number;
                /** @description seconds, default 3 */
                timeoutS?: number;
                architecture?: "x86_64" | "arm64";
                /** @description MB of /tmp, default 512 */
                ephemeralStorageMb?: number;
                /** @description a JSON object of strings */
                environment?: string;
                reservedConcurrency?: number;
                /** @description Zip (default): code on a runtime; Image: a container image */
                packageType?: "Zip" | "Image";
                /** @description a JSON object: { entryPoint?, command?, workingDirectory? } */
                imageConfig?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "hello",
                 *       "runtime": "nodejs",
                 *       "handler": "index.handler",
                 *       "memoryMb": 128,
                 *       "zipFile": "UEsDBBQAAAAIAA..."
                 *     }
                 */
                "application/json": {
                    /** @description unique in the account; letters, digits, - and _ */
                    name: string;
                    /**
                     * @description nodejs, python, ruby, java or provided; AWS's identifiers (nodejs20.x, python3.11, ruby3.2, java17, provided.al2023...) too
                     * @enum {unknown}
                     */
                    runtime?: "nodejs" | "python" | "ruby" | "java" | "provided" | "nodejs18.x" | "nodejs20.x" | "python3.8" | "python3.9" | "python3.10" | "python3.11" | "ruby3.2" | "java8.al2" | "java11" | "java17" | "provided.al2" | "provided.al2023";
                    /** @description index.handler (nodejs), app.handler (python), lambda_function.handler (ruby), package.Class::method (java); passed as _HANDLER */
                    handler?: string;
                    /** @description MB, default 128 */
                    memoryMb?: number;
                    /** @description seconds, default 3 */
                    timeoutS?: number;
                    /** @enum {unknown} */
                    architecture?: "x86_64" | "arm64";
                    /** @description MB of /tmp, default 512 */
                    ephemeralStorageMb?: number;
                    /** @description at most 4 KB in total */
                    environment?: {
                        [key: string]: string;
                    };
                    /** @description most instances at once, kept for this function out of the account's limit (the account's other functions share the rest); 0 stops all invocations; null: no reservation */
                    reservedConcurrency?: number | null;
                    /** @description overrides of the image's ENTRYPOINT, CMD and WORKDIR */
                    imageConfig?: {
                        entryPoint?: string[];
                        command?: string[];
                        workingDirectory?: string;
                    };
                    /**
                     * @description Zip (default): code on a runtime; Image: a container image
                     * @enum {unknown}
                     */
                    packageType?: "Zip" | "Image";
                    /** @description the deployment package, a zip, base64-encoded */
                    zipFile?: string;
                    /** @description a container image, base64-encoded: an OCI image layout tar or a docker save archive (or send it raw as application/x-tar) */
                    imageArchive?: string;
                };
                "application/zip": unknown;
                "application/x-zip-compressed": unknown;
                "application/octet-stream": unknown;
                "application/x-tar": unknown;
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "5b0f7f3e-2a43-4c6a-9a53-0d3f1c7e9b21",
                     *       "name": "hello",
                     *       "version": 1,
                     *       "latestVersion": 1,
                     *       "packageType": "Zip",
                     *       "runtime": "nodejs",
                     *       "handler": "index.handler",
                     *       "memoryMb": 128,
                     *       "timeoutS": 3,
                     *       "architecture": "x86_64",
                     *       "ephemeralStorageMb": 512,
                     *       "environment": {
                     *         "GREETING": "hello"
                     *       },
                     *       "reservedConcurrency": null,
                     *       "codeSha256": "9f2c0a6e4b1d3c5a7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d",
                     *       "codeSize": 312,
                     *       "codeUnzippedSize": 164,
                     *       "imageDigest": null,
                     *       "imageConfig": {},
                     *       "createdAt": "2026-11-15T12:00:00.000Z",
                     *       "lastModified": "2026-11-15T12:00:00.000Z"
                     *     }
                     */
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        name: string;
                        /** @description this configuration is that immutable version */
                        version: number;
                        latestVersion: number;
                        /** @description Zip or Image */
                        packageType: string;
                        /** @description null for an image: its entry point is its runtime */
                        runtime: string | null;
                        handler: string | null;
                        memoryMb: number;
                        timeoutS: number;
                        architecture: string;
                        ephemeralStorageMb: number;
                        environment: {
                            [key: string]: string;
                        };
                        reservedConcurrency: number | null;
                        /** @description hex SHA-256 of the zip (an image: its manifest digest's hex) */
                        codeSha256: string;
                        /** @description bytes, zipped (an image: its blobs) */
                        codeSize: number;
                        /** @description bytes, unzipped (an image: its layers unpacked) */
                        codeUnzippedSize: number;
                        /** @description an image's manifest digest (sha256:...) */
                        imageDigest: string | null;
                        /** @description overrides of the image's ENTRYPOINT, CMD and WORKDIR */
                        imageConfig: {
                            entryPoint?: string[];
                            command?: string[];
                            workingDirectory?: string;
                        } | null;
                        /** Format: date-time */
                        createdAt: string;
                        /**
                         * Format: date-time
                         * @description when this version was made
                         */
                        lastModified: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "CONFLICT",
                     *         "message": "The resource exists already or is in a state that forbids this",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "PAYLOAD_TOO_LARGE",
                     *         "message": "The request body is larger than this route accepts",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNSUPPORTED_MEDIA_TYPE",
                     *         "message": "Unsupported Media Type: text/plain",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getAccountConcurrency: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description most invocations of the account at once: the operator's limit for the account, else TALLY_ACCOUNT_CONCURRENCY */
                        limit: number;
                        /** @description what the account's functions reserve together (their latest versions) */
                        reserved: number;
                        /** @description what the functions without a reservation share */
                        unreserved: number;
                        /** @description what reservations must leave to them (TALLY_UNRESERVED_CONCURRENCY_MIN; unset, a tenth of the account's limit, at most 100) */
                        minUnreserved: number;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getFunction: {
        parameters: {
            query?: {
                /** @description a published version; default: the latest */
                version?: number;
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "5b0f7f3e-2a43-4c6a-9a53-0d3f1c7e9b21",
                     *       "name": "hello",
                     *       "version": 1,
                     *       "latestVersion": 1,
                     *       "packageType": "Zip",
                     *       "runtime": "nodejs",
                     *       "handler": "index.handler",
                     *       "memoryMb": 128,
                     *       "timeoutS": 3,
                     *       "architecture": "x86_64",
                     *       "ephemeralStorageMb": 512,
                     *       "environment": {
                     *         "GREETING": "hello"
                     *       },
                     *       "reservedConcurrency": null,
                     *       "codeSha256": "9f2c0a6e4b1d3c5a7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d",
                     *       "codeSize": 312,
                     *       "codeUnzippedSize": 164,
                     *       "imageDigest": null,
                     *       "imageConfig": {},
                     *       "createdAt": "2026-11-15T12:00:00.000Z",
                     *       "lastModified": "2026-11-15T12:00:00.000Z"
                     *     }
                     */
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        name: string;
                        /** @description this configuration is that immutable version */
                        version: number;
                        latestVersion: number;
                        /** @description Zip or Image */
                        packageType: string;
                        /** @description null for an image: its entry point is its runtime */
                        runtime: string | null;
                        handler: string | null;
                        memoryMb: number;
                        timeoutS: number;
                        architecture: string;
                        ephemeralStorageMb: number;
                        environment: {
                            [key: string]: string;
                        };
                        reservedConcurrency: number | null;
                        /** @description hex SHA-256 of the zip (an image: its manifest digest's hex) */
                        codeSha256: string;
                        /** @description bytes, zipped (an image: its blobs) */
                        codeSize: number;
                        /** @description bytes, unzipped (an image: its layers unpacked) */
                        codeUnzippedSize: number;
                        /** @description an image's manifest digest (sha256:...) */
                        imageDigest: string | null;
                        /** @description overrides of the image's ENTRYPOINT, CMD and WORKDIR */
                        imageConfig: {
                            entryPoint?: string[];
                            command?: string[];
                            workingDirectory?: string;
                        } | null;
                        /** Format: date-time */
                        createdAt: string;
                        /**
                         * Format: date-time
                         * @description when this version was made
                         */
                        lastModified: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    deleteFunction: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listFunctionVersions: {
        parameters: {
            query?: {
                limit?: number;
                /** @description the last version of the previous page */
                after?: number;
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        versions: {
                            /** Format: uuid */
                            id: string;
                            name: string;
                            /** @description this configuration is that immutable version */
                            version: number;
                            latestVersion: number;
                            /** @description Zip or Image */
                            packageType: string;
                            /** @description null for an image: its entry point is its runtime */
                            runtime: string | null;
                            handler: string | null;
                            memoryMb: number;
                            timeoutS: number;
                            architecture: string;
                            ephemeralStorageMb: number;
                            environment: {
                                [key: string]: string;
                            };
                            reservedConcurrency: number | null;
                            /** @description hex SHA-256 of the zip (an image: its manifest digest's hex) */
                            codeSha256: string;
                            /** @description bytes, zipped (an image: its blobs) */
                            codeSize: number;
                            /** @description bytes, unzipped (an image: its layers unpacked) */
                            codeUnzippedSize: number;
                            /** @description an image's manifest digest (sha256:...) */
                            imageDigest: string | null;
                            /** @description overrides of the image's ENTRYPOINT, CMD and WORKDIR */
                            imageConfig: {
                                entryPoint?: string[];
                                command?: string[];
                                workingDirectory?: string;
                            } | null;
                            /** Format: date-time */
                            createdAt: string;
                            /**
                             * Format: date-time
                             * @description when this version was made
                             */
                            lastModified: string;
                        }[];
                        /** @description pass as `after` for the next page */
                        next: number | null;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    updateFunctionCode: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description the deployment package, a zip, base64-encoded */
                    zipFile?: string;
                    /** @description a container image, base64-encoded: an OCI image layout tar or a docker save archive (or send it raw as application/x-tar) */
                    imageArchive?: string;
                };
                "application/zip": unknown;
                "application/x-zip-compressed": unknown;
                "application/octet-stream": unknown;
                "application/x-tar": unknown;
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        name: string;
                        /** @description this configuration is that immutable version */
                        version: number;
                        latestVersion: number;
                        /** @description Zip or Image */
                        packageType: string;
                        /** @description null for an image: its entry point is its runtime */
                        runtime: string | null;
                        handler: string | null;
                        memoryMb: number;
                        timeoutS: number;
                        architecture: string;
                        ephemeralStorageMb: number;
                        environment: {
                            [key: string]: string;
                        };
                        reservedConcurrency: number | null;
                        /** @description hex SHA-256 of the zip (an image: its manifest digest's hex) */
                        codeSha256: string;
                        /** @description bytes, zipped (an image: its blobs) */
                        codeSize: number;
                        /** @description bytes, unzipped (an image: its layers unpacked) */
                        codeUnzippedSize: number;
                        /** @description an image's manifest digest (sha256:...) */
                        imageDigest: string | null;
                        /** @description overrides of the image's ENTRYPOINT, CMD and WORKDIR */
                        imageConfig: {
                            entryPoint?: string[];
                            command?: string[];
                            workingDirectory?: string;
                        } | null;
                        /** Format: date-time */
                        createdAt: string;
                        /**
                         * Format: date-time
                         * @description when this version was made
                         */
                        lastModified: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "PAYLOAD_TOO_LARGE",
                     *         "message": "The request body is larger than this route accepts",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNSUPPORTED_MEDIA_TYPE",
                     *         "message": "Unsupported Media Type: text/plain",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    updateFunctionConfiguration: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description nodejs, python, ruby, java or provided; AWS's identifiers (nodejs20.x, python3.11, ruby3.2, java17, provided.al2023...) too
                     * @enum {unknown}
                     */
                    runtime?: "nodejs" | "python" | "ruby" | "java" | "provided" | "nodejs18.x" | "nodejs20.x" | "python3.8" | "python3.9" | "python3.10" | "python3.11" | "ruby3.2" | "java8.al2" | "java11" | "java17" | "provided.al2" | "provided.al2023";
                    /** @description index.handler (nodejs), app.handler (python), lambda_function.handler (ruby), package.Class::method (java); passed as _HANDLER */
                    handler?: string;
                    /** @description MB, default 128 */
                    memoryMb?: number;
                    /** @description seconds, default 3 */
                    timeoutS?: number;
                    /** @enum {unknown} */
                    architecture?: "x86_64" | "arm64";
                    /** @description MB of /tmp, default 512 */
                    ephemeralStorageMb?: number;
                    /** @description at most 4 KB in total */
                    environment?: {
                        [key: string]: string;
                    };
                    /** @description most instances at once, kept for this function out of the account's limit (the account's other functions share the rest); 0 stops all invocations; null: no reservation */
                    reservedConcurrency?: number | null;
                    /** @description overrides of the image's ENTRYPOINT, CMD and WORKDIR */
                    imageConfig?: {
                        entryPoint?: string[];
                        command?: string[];
                        workingDirectory?: string;
                    };
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        name: string;
                        /** @description this configuration is that immutable version */
                        version: number;
                        latestVersion: number;
                        /** @description Zip or Image */
                        packageType: string;
                        /** @description null for an image: its entry point is its runtime */
                        runtime: string | null;
                        handler: string | null;
                        memoryMb: number;
                        timeoutS: number;
                        architecture: string;
                        ephemeralStorageMb: number;
                        environment: {
                            [key: string]: string;
                        };
                        reservedConcurrency: number | null;
                        /** @description hex SHA-256 of the zip (an image: its manifest digest's hex) */
                        codeSha256: string;
                        /** @description bytes, zipped (an image: its blobs) */
                        codeSize: number;
                        /** @description bytes, unzipped (an image: its layers unpacked) */
                        codeUnzippedSize: number;
                        /** @description an image's manifest digest (sha256:...) */
                        imageDigest: string | null;
                        /** @description overrides of the image's ENTRYPOINT, CMD and WORKDIR */
                        imageConfig: {
                            entryPoint?: string[];
                            command?: string[];
                            workingDirectory?: string;
                        } | null;
                        /** Format: date-time */
                        createdAt: string;
                        /**
                         * Format: date-time
                         * @description when this version was made
                         */
                        lastModified: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    invokeFunction: {
        parameters: {
            query?: {
                /** @description tail: X-Tally-Log-Result carries the last 4 KB of the log */
                log?: "tail" | "none";
                /** @description run this version; default: the latest */
                version?: number;
                /** @description run the version this alias names */
                alias?: string;
            };
            header?: {
                /** @description RequestResponse (default): wait for the result; Event: queue it (202); DryRun: only check (204) */
                "x-tally-invocation-type"?: "RequestResponse" | "Event" | "DryRun";
            };
            path: {
                name: string;
            };
            cookie?: never;
        };
        /** @description the event: any JSON value (absent: {}) */
        requestBody?: {
            content: {
                /**
                 * @example {
                 *       "name": "Ada"
                 *     }
                 */
                "application/json": unknown;
            };
        };
        responses: {
            /** @description the function's result, or its error JSON with X-Tally-Function-Error */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "hello Ada"
                     *     }
                     */
                    "application/json": unknown;
                };
            };
            /** @description Default Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *     }
                     */
                    "application/json": {
                        /** @description the queued event; GET /v1/invocations/:requestId */
                        requestId: string;
                    };
                };
            };
            /** @description DryRun: the function exists and may be invoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            402: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "BUDGET_EXCEEDED",
                     *         "message": "The account reached a hard-capped budget for this month",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "PAYLOAD_TOO_LARGE",
                     *         "message": "The request body is larger than this route accepts",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getInvocation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                requestId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d",
                     *       "functionName": "hello",
                     *       "type": "async",
                     *       "status": "succeeded",
                     *       "attempts": 1
                     *     }
                     */
                    "application/json": {
                        requestId: string;
                        functionName: string;
                        /** @enum {unknown} */
                        type: "sync" | "async";
                        /** @enum {unknown} */
                        status: "queued" | "running" | "succeeded" | "failed" | "expired";
                        /** @description runs that ended (success, function error or timeout) */
                        attempts: number;
                        lastError?: string;
                        /** @enum {unknown} */
                        source?: "api" | "schedule" | "destination" | "event-source";
                        /** @description times it was refused before running (429, 5xx) and retried without using an attempt */
                        throttles?: number;
                        /** Format: date-time */
                        queuedAt?: string;
                        /** Format: date-time */
                        expiresAt?: string;
                        /** Format: date-time */
                        nextAttemptAt?: string | null;
                        /** Format: date-time */
                        finishedAt?: string | null;
                        /** @description each run's invocation id, as its usage record names it */
                        invocationIds?: string[];
                        destination?: string | null;
                        destinationDelivery?: {
                            status: string;
                            attempts: number;
                            deliveredAt: string | null;
                            lastError: string | null;
                        };
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listFunctionInvocations: {
        parameters: {
            query?: {
                status?: "queued" | "running" | "succeeded" | "failed" | "expired";
                limit?: number;
                /** @description the last requestId of the previous page */
                before?: string;
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        invocations: {
                            requestId: string;
                            /** @enum {unknown} */
                            status: "queued" | "running" | "succeeded" | "failed" | "expired";
                            /** @enum {unknown} */
                            source: "api" | "schedule" | "destination" | "event-source";
                            attempts: number;
                            lastError?: string;
                            /** Format: date-time */
                            queuedAt: string;
                            /** Format: date-time */
                            finishedAt: string | null;
                        }[];
                        /** @description pass as `before` for the next page */
                        next: string | null;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getEventInvokeConfig: {
        parameters: {
            query?: {
                /** @description an alias or published version of the function, or $LATEST (the default): each has its own configuration */
                qualifier?: string;
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        functionName: string;
                        /** @description what the configuration belongs to: $LATEST (the unqualified function's), a version number or an alias */
                        qualifier: string;
                        maximumRetryAttempts: number;
                        maximumEventAgeS: number;
                        destinations: {
                            /** @description where the destination record goes */
                            onSuccess?: {
                                /** @enum {string} */
                                type: "function";
                                function: string;
                            } | {
                                /** @enum {string} */
                                type: "webhook";
                                url: string;
                            };
                            /** @description where the destination record goes */
                            onFailure?: {
                                /** @enum {string} */
                                type: "function";
                                function: string;
                            } | {
                                /** @enum {string} */
                                type: "webhook";
                                url: string;
                            };
                        };
                        /**
                         * Format: date-time
                         * @description null: the defaults, never set
                         */
                        lastModified: string | null;
                        /** @description the webhook signing secret of this configuration: shown once, when first made */
                        webhookSecret?: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    putEventInvokeConfig: {
        parameters: {
            query?: {
                /** @description an alias or published version of the function, or $LATEST (the default): each has its own configuration */
                qualifier?: string;
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description retries after a function error; default 2 */
                    maximumRetryAttempts?: number;
                    /** @description seconds an event may wait before it is dropped; default 21600 */
                    maximumEventAgeS?: number;
                    destinations?: {
                        /** @description where the destination record goes */
                        onSuccess?: {
                            /** @enum {string} */
                            type: "function";
                            function: string;
                        } | {
                            /** @enum {string} */
                            type: "webhook";
                            url: string;
                        };
                        /** @description where the destination record goes */
                        onFailure?: {
                            /** @enum {string} */
                            type: "function";
                            function: string;
                        } | {
                            /** @enum {string} */
                            type: "webhook";
                            url: string;
                        };
                    };
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        functionName: string;
                        /** @description what the configuration belongs to: $LATEST (the unqualified function's), a version number or an alias */
                        qualifier: string;
                        maximumRetryAttempts: number;
                        maximumEventAgeS: number;
                        destinations: {
                            /** @description where the destination record goes */
                            onSuccess?: {
                                /** @enum {string} */
                                type: "function";
                                function: string;
                            } | {
                                /** @enum {string} */
                                type: "webhook";
                                url: string;
                            };
                            /** @description where the destination record goes */
                            onFailure?: {
                                /** @enum {string} */
                                type: "function";
                                function: string;
                            } | {
                                /** @enum {string} */
                                type: "webhook";
                                url: string;
                            };
                        };
                        /**
                         * Format: date-time
                         * @description null: the defaults, never set
                         */
                        lastModified: string | null;
                        /** @description the webhook signing secret of this configuration: shown once, when first made */
                        webhookSecret?: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    deleteEventInvokeConfig: {
        parameters: {
            query?: {
                /** @description an alias or published version of the function, or $LATEST (the default): each has its own configuration */
                qualifier?: string;
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listEventInvokeConfigs: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        configs: {
                            functionName: string;
                            /** @description what the configuration belongs to: $LATEST (the unqualified function's), a version number or an alias */
                            qualifier: string;
                            maximumRetryAttempts: number;
                            maximumEventAgeS: number;
                            destinations: {
                                /** @description where the destination record goes */
                                onSuccess?: {
                                    /** @enum {string} */
                                    type: "function";
                                    function: string;
                                } | {
                                    /** @enum {string} */
                                    type: "webhook";
                                    url: string;
                                };
                                /** @description where the destination record goes */
                                onFailure?: {
                                    /** @enum {string} */
                                    type: "function";
                                    function: string;
                                } | {
                                    /** @enum {string} */
                                    type: "webhook";
                                    url: string;
                                };
                            };
                            /**
                             * Format: date-time
                             * @description null: the defaults, never set
                             */
                            lastModified: string | null;
                            /** @description the webhook signing secret of this configuration: shown once, when first made */
                            webhookSecret?: string;
                        }[];
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listSchedules: {
        parameters: {
            query?: {
                limit?: number;
                /** @description the last name of the previous page */
                after?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        schedules: {
                            name: string;
                            expression: string;
                            timezone: string;
                            target: {
                                /** @description a function of the account, invoked asynchronously */
                                function: string;
                                /** @description the event (any JSON); absent: EventBridge's scheduled event */
                                input?: unknown;
                                /** @description the alias or published version the ticks run, or $LATEST */
                                qualifier: string;
                            };
                            enabled: boolean;
                            flexibleTimeWindow: {
                                /** @enum {unknown} */
                                mode: "OFF" | "FLEXIBLE";
                                /** @description FLEXIBLE: each tick runs within this many minutes after it */
                                maximumWindowInMinutes?: number;
                            };
                            /**
                             * Format: date-time
                             * @description the next tick; null: disabled or no tick left
                             */
                            nextFireAt: string | null;
                            /** Format: date-time */
                            lastFiredAt: string | null;
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            updatedAt: string;
                        }[];
                        next: string | null;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    createSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    /** @description rate(5 minutes), cron(0 12 * * ? *) or at(2026-12-24T18:00:00) */
                    expression: string;
                    /** @description IANA time zone the expression is read in; default UTC */
                    timezone?: string;
                    target: {
                        /** @description a function of the account, invoked asynchronously */
                        function: string;
                        /** @description the event (any JSON); absent: EventBridge's scheduled event */
                        input?: unknown;
                        /** @description an alias or a published version number of the function (it must exist), resolved at every tick; absent or $LATEST: the latest version */
                        qualifier?: string;
                    };
                    /** @description a disabled schedule does not fire; default true */
                    enabled?: boolean;
                    flexibleTimeWindow?: {
                        /** @enum {unknown} */
                        mode: "OFF" | "FLEXIBLE";
                        /** @description FLEXIBLE: each tick runs within this many minutes after it */
                        maximumWindowInMinutes?: number;
                    };
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        expression: string;
                        timezone: string;
                        target: {
                            /** @description a function of the account, invoked asynchronously */
                            function: string;
                            /** @description the event (any JSON); absent: EventBridge's scheduled event */
                            input?: unknown;
                            /** @description the alias or published version the ticks run, or $LATEST */
                            qualifier: string;
                        };
                        enabled: boolean;
                        flexibleTimeWindow: {
                            /** @enum {unknown} */
                            mode: "OFF" | "FLEXIBLE";
                            /** @description FLEXIBLE: each tick runs within this many minutes after it */
                            maximumWindowInMinutes?: number;
                        };
                        /**
                         * Format: date-time
                         * @description the next tick; null: disabled or no tick left
                         */
                        nextFireAt: string | null;
                        /** Format: date-time */
                        lastFiredAt: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "CONFLICT",
                     *         "message": "The resource exists already or is in a state that forbids this",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        expression: string;
                        timezone: string;
                        target: {
                            /** @description a function of the account, invoked asynchronously */
                            function: string;
                            /** @description the event (any JSON); absent: EventBridge's scheduled event */
                            input?: unknown;
                            /** @description the alias or published version the ticks run, or $LATEST */
                            qualifier: string;
                        };
                        enabled: boolean;
                        flexibleTimeWindow: {
                            /** @enum {unknown} */
                            mode: "OFF" | "FLEXIBLE";
                            /** @description FLEXIBLE: each tick runs within this many minutes after it */
                            maximumWindowInMinutes?: number;
                        };
                        /**
                         * Format: date-time
                         * @description the next tick; null: disabled or no tick left
                         */
                        nextFireAt: string | null;
                        /** Format: date-time */
                        lastFiredAt: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    deleteSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    updateSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description rate(5 minutes), cron(0 12 * * ? *) or at(2026-12-24T18:00:00) */
                    expression?: string;
                    /** @description IANA time zone the expression is read in; default UTC */
                    timezone?: string;
                    target?: {
                        /** @description a function of the account, invoked asynchronously */
                        function: string;
                        /** @description the event (any JSON); absent: EventBridge's scheduled event */
                        input?: unknown;
                        /** @description an alias or a published version number of the function (it must exist), resolved at every tick; absent or $LATEST: the latest version */
                        qualifier?: string;
                    };
                    /** @description a disabled schedule does not fire; default true */
                    enabled?: boolean;
                    flexibleTimeWindow?: {
                        /** @enum {unknown} */
                        mode: "OFF" | "FLEXIBLE";
                        /** @description FLEXIBLE: each tick runs within this many minutes after it */
                        maximumWindowInMinutes?: number;
                    };
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        expression: string;
                        timezone: string;
                        target: {
                            /** @description a function of the account, invoked asynchronously */
                            function: string;
                            /** @description the event (any JSON); absent: EventBridge's scheduled event */
                            input?: unknown;
                            /** @description the alias or published version the ticks run, or $LATEST */
                            qualifier: string;
                        };
                        enabled: boolean;
                        flexibleTimeWindow: {
                            /** @enum {unknown} */
                            mode: "OFF" | "FLEXIBLE";
                            /** @description FLEXIBLE: each tick runs within this many minutes after it */
                            maximumWindowInMinutes?: number;
                        };
                        /**
                         * Format: date-time
                         * @description the next tick; null: disabled or no tick left
                         */
                        nextFireAt: string | null;
                        /** Format: date-time */
                        lastFiredAt: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listScheduleTicks: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        ticks: {
                            tick: string;
                            firedAt: string;
                            requestId: string;
                        }[];
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getFunctionUrl: {
        parameters: {
            query?: {
                /** @description an alias of the function (not a version, nor $LATEST); absent: the function's own URL */
                qualifier?: string;
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description <api base>/url/<urlId>/: every method and sub-path invokes the function */
                        url: string;
                        urlId: string;
                        functionName: string;
                        /** @description the alias whose version the URL runs; null: the function's own URL, which runs its latest version */
                        qualifier: string | null;
                        /** @enum {unknown} */
                        authType: "NONE" | "TALLY_KEY";
                        cors?: {
                            /** @description origins, or * */
                            allowOrigins?: string[];
                            allowMethods?: string[];
                            allowHeaders?: string[];
                            exposeHeaders?: string[];
                            maxAge?: number;
                            allowCredentials?: boolean;
                        };
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        lastModified: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    putFunctionUrl: {
        parameters: {
            query?: {
                /** @description an alias of the function (not a version, nor $LATEST); absent: the function's own URL */
                qualifier?: string;
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {unknown} */
                    authType: "NONE" | "TALLY_KEY";
                    cors?: {
                        /** @description origins, or * */
                        allowOrigins?: string[];
                        allowMethods?: string[];
                        allowHeaders?: string[];
                        exposeHeaders?: string[];
                        maxAge?: number;
                        allowCredentials?: boolean;
                    };
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description <api base>/url/<urlId>/: every method and sub-path invokes the function */
                        url: string;
                        urlId: string;
                        functionName: string;
                        /** @description the alias whose version the URL runs; null: the function's own URL, which runs its latest version */
                        qualifier: string | null;
                        /** @enum {unknown} */
                        authType: "NONE" | "TALLY_KEY";
                        cors?: {
                            /** @description origins, or * */
                            allowOrigins?: string[];
                            allowMethods?: string[];
                            allowHeaders?: string[];
                            exposeHeaders?: string[];
                            maxAge?: number;
                            allowCredentials?: boolean;
                        };
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        lastModified: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    deleteFunctionUrl: {
        parameters: {
            query?: {
                /** @description an alias of the function (not a version, nor $LATEST); absent: the function's own URL */
                qualifier?: string;
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listFunctionUrls: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        urls: {
                            /** @description <api base>/url/<urlId>/: every method and sub-path invokes the function */
                            url: string;
                            urlId: string;
                            functionName: string;
                            /** @description the alias whose version the URL runs; null: the function's own URL, which runs its latest version */
                            qualifier: string | null;
                            /** @enum {unknown} */
                            authType: "NONE" | "TALLY_KEY";
                            cors?: {
                                /** @description origins, or * */
                                allowOrigins?: string[];
                                allowMethods?: string[];
                                allowHeaders?: string[];
                                exposeHeaders?: string[];
                                maxAge?: number;
                                allowCredentials?: boolean;
                            };
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            lastModified: string;
                        }[];
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listEventSourceMappings: {
        parameters: {
            query?: {
                functionName?: string;
                /** @description only the mappings on this alias or version ($LATEST: those on none) */
                qualifier?: string;
                limit?: number;
                after?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        eventSourceMappings: {
                            id: string;
                            /** @description arn:aws:lambda:<TALLY_REGION>:<account id>:event-source-mapping:<id> */
                            eventSourceMappingArn: string;
                            functionName: string;
                            /** @description the alias or published version the mapping runs, or $LATEST */
                            qualifier: string;
                            source: {
                                type: string;
                                /** @description without credentials */
                                url?: string;
                                queue?: string;
                                topic?: string;
                                qos?: number;
                                stream?: string;
                                subject?: string;
                                group?: string;
                                startingPosition?: string;
                                publication?: string;
                                slot?: string;
                            };
                            batchSize: number;
                            maximumBatchingWindowS: number;
                            maximumConcurrency: number;
                            maximumRetryAttempts: number;
                            functionResponseTypes: string[];
                            destinations: {
                                /** @description where the destination record goes */
                                onFailure?: {
                                    /** @enum {string} */
                                    type: "function";
                                    function: string;
                                } | {
                                    /** @enum {string} */
                                    type: "webhook";
                                    url: string;
                                };
                            };
                            enabled: boolean;
                            state: string;
                            lastProcessingResult: string;
                            /** @description messages not yet processed (postgres: WAL bytes the slot holds back), as last measured */
                            lag: number | null;
                            lagMeasuredAt: string | null;
                            lastModified: string;
                            /** @description s3-webhook: POST S3 event notifications here */
                            endpoint?: string;
                            /** @description s3-webhook: the bearer token, shown once */
                            token?: string;
                            /** @description a webhook failure destination signing secret, shown once */
                            webhookSecret?: string;
                        }[];
                        next: string | null;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    createEventSourceMapping: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    functionName: string;
                    /** @description an alias or published version of the function, resolved when each batch runs (a moved alias takes effect for the next batch); default $LATEST */
                    qualifier?: string;
                    source: {
                        /** @enum {unknown} */
                        type: "rabbitmq" | "mqtt" | "nats" | "redis" | "postgres" | "s3-webhook";
                        /** @description the broker URL, credentials included; stored sealed, never shown */
                        url?: string;
                        /** @description rabbitmq: the queue (it must exist) */
                        queue?: string;
                        /** @description mqtt: the topic filter */
                        topic?: string;
                        /** @description mqtt: 1 (default) or 0 */
                        qos?: 0 | 1;
                        /** @description nats: the JetStream stream; redis: the stream key */
                        stream?: string;
                        /** @description nats: a subject filter */
                        subject?: string;
                        /** @description redis: the consumer group; nats: the durable consumer (default tally-<mapping id>) */
                        group?: string;
                        /**
                         * @description streams: where a new group starts (default TRIM_HORIZON); postgres: LATEST skips what an existing slot holds
                         * @enum {unknown}
                         */
                        startingPosition?: "TRIM_HORIZON" | "LATEST";
                        /** @description postgres: the publication of the tables streamed (CREATE PUBLICATION ... FOR TABLE ...) */
                        publication?: string;
                        /** @description postgres: the logical replication slot (default tally_<mapping id without dashes>, made and dropped with the mapping) */
                        slot?: string;
                    };
                    /** @description most messages per invocation (default 100; mqtt: 1) */
                    batchSize?: number;
                    /** @description how long a batch waits to fill (default 0.5 for rabbitmq, else 0) */
                    maximumBatchingWindowS?: number;
                    /** @description rabbitmq, redis: batches run at once (default 1; a redis stream keeps its order only with 1) */
                    maximumConcurrency?: number;
                    /** @description retries of a failed batch (default 2) */
                    maximumRetryAttempts?: number;
                    enabled?: boolean;
                    functionResponseTypes?: "ReportBatchItemFailures"[];
                    destinations?: {
                        /** @description where the destination record goes */
                        onFailure?: {
                            /** @enum {string} */
                            type: "function";
                            function: string;
                        } | {
                            /** @enum {string} */
                            type: "webhook";
                            url: string;
                        };
                    };
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        /** @description arn:aws:lambda:<TALLY_REGION>:<account id>:event-source-mapping:<id> */
                        eventSourceMappingArn: string;
                        functionName: string;
                        /** @description the alias or published version the mapping runs, or $LATEST */
                        qualifier: string;
                        source: {
                            type: string;
                            /** @description without credentials */
                            url?: string;
                            queue?: string;
                            topic?: string;
                            qos?: number;
                            stream?: string;
                            subject?: string;
                            group?: string;
                            startingPosition?: string;
                            publication?: string;
                            slot?: string;
                        };
                        batchSize: number;
                        maximumBatchingWindowS: number;
                        maximumConcurrency: number;
                        maximumRetryAttempts: number;
                        functionResponseTypes: string[];
                        destinations: {
                            /** @description where the destination record goes */
                            onFailure?: {
                                /** @enum {string} */
                                type: "function";
                                function: string;
                            } | {
                                /** @enum {string} */
                                type: "webhook";
                                url: string;
                            };
                        };
                        enabled: boolean;
                        state: string;
                        lastProcessingResult: string;
                        /** @description messages not yet processed (postgres: WAL bytes the slot holds back), as last measured */
                        lag: number | null;
                        lagMeasuredAt: string | null;
                        lastModified: string;
                        /** @description s3-webhook: POST S3 event notifications here */
                        endpoint?: string;
                        /** @description s3-webhook: the bearer token, shown once */
                        token?: string;
                        /** @description a webhook failure destination signing secret, shown once */
                        webhookSecret?: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "CONFLICT",
                     *         "message": "The resource exists already or is in a state that forbids this",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getEventSourceMapping: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        /** @description arn:aws:lambda:<TALLY_REGION>:<account id>:event-source-mapping:<id> */
                        eventSourceMappingArn: string;
                        functionName: string;
                        /** @description the alias or published version the mapping runs, or $LATEST */
                        qualifier: string;
                        source: {
                            type: string;
                            /** @description without credentials */
                            url?: string;
                            queue?: string;
                            topic?: string;
                            qos?: number;
                            stream?: string;
                            subject?: string;
                            group?: string;
                            startingPosition?: string;
                            publication?: string;
                            slot?: string;
                        };
                        batchSize: number;
                        maximumBatchingWindowS: number;
                        maximumConcurrency: number;
                        maximumRetryAttempts: number;
                        functionResponseTypes: string[];
                        destinations: {
                            /** @description where the destination record goes */
                            onFailure?: {
                                /** @enum {string} */
                                type: "function";
                                function: string;
                            } | {
                                /** @enum {string} */
                                type: "webhook";
                                url: string;
                            };
                        };
                        enabled: boolean;
                        state: string;
                        lastProcessingResult: string;
                        /** @description messages not yet processed (postgres: WAL bytes the slot holds back), as last measured */
                        lag: number | null;
                        lagMeasuredAt: string | null;
                        lastModified: string;
                        /** @description s3-webhook: POST S3 event notifications here */
                        endpoint?: string;
                        /** @description s3-webhook: the bearer token, shown once */
                        token?: string;
                        /** @description a webhook failure destination signing secret, shown once */
                        webhookSecret?: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    deleteEventSourceMapping: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        /** @description arn:aws:lambda:<TALLY_REGION>:<account id>:event-source-mapping:<id> */
                        eventSourceMappingArn: string;
                        functionName: string;
                        /** @description the alias or published version the mapping runs, or $LATEST */
                        qualifier: string;
                        source: {
                            type: string;
                            /** @description without credentials */
                            url?: string;
                            queue?: string;
                            topic?: string;
                            qos?: number;
                            stream?: string;
                            subject?: string;
                            group?: string;
                            startingPosition?: string;
                            publication?: string;
                            slot?: string;
                        };
                        batchSize: number;
                        maximumBatchingWindowS: number;
                        maximumConcurrency: number;
                        maximumRetryAttempts: number;
                        functionResponseTypes: string[];
                        destinations: {
                            /** @description where the destination record goes */
                            onFailure?: {
                                /** @enum {string} */
                                type: "function";
                                function: string;
                            } | {
                                /** @enum {string} */
                                type: "webhook";
                                url: string;
                            };
                        };
                        enabled: boolean;
                        state: string;
                        lastProcessingResult: string;
                        /** @description messages not yet processed (postgres: WAL bytes the slot holds back), as last measured */
                        lag: number | null;
                        lagMeasuredAt: string | null;
                        lastModified: string;
                        /** @description s3-webhook: POST S3 event notifications here */
                        endpoint?: string;
                        /** @description s3-webhook: the bearer token, shown once */
                        token?: string;
                        /** @description a webhook failure destination signing secret, shown once */
                        webhookSecret?: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    updateEventSourceMapping: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    functionName?: string;
                    /** @description an alias or published version of the function, resolved when each batch runs (a moved alias takes effect for the next batch); default $LATEST */
                    qualifier?: string;
                    /** @description most messages per invocation (default 100; mqtt: 1) */
                    batchSize?: number;
                    /** @description how long a batch waits to fill (default 0.5 for rabbitmq, else 0) */
                    maximumBatchingWindowS?: number;
                    /** @description rabbitmq, redis: batches run at once (default 1; a redis stream keeps its order only with 1) */
                    maximumConcurrency?: number;
                    /** @description retries of a failed batch (default 2) */
                    maximumRetryAttempts?: number;
                    enabled?: boolean;
                    functionResponseTypes?: "ReportBatchItemFailures"[];
                    destinations?: {
                        /** @description where the destination record goes */
                        onFailure?: {
                            /** @enum {string} */
                            type: "function";
                            function: string;
                        } | {
                            /** @enum {string} */
                            type: "webhook";
                            url: string;
                        };
                    };
                    /** @description cannot change: refused (400) with a message naming it; a new source is a new mapping */
                    source?: unknown;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        /** @description arn:aws:lambda:<TALLY_REGION>:<account id>:event-source-mapping:<id> */
                        eventSourceMappingArn: string;
                        functionName: string;
                        /** @description the alias or published version the mapping runs, or $LATEST */
                        qualifier: string;
                        source: {
                            type: string;
                            /** @description without credentials */
                            url?: string;
                            queue?: string;
                            topic?: string;
                            qos?: number;
                            stream?: string;
                            subject?: string;
                            group?: string;
                            startingPosition?: string;
                            publication?: string;
                            slot?: string;
                        };
                        batchSize: number;
                        maximumBatchingWindowS: number;
                        maximumConcurrency: number;
                        maximumRetryAttempts: number;
                        functionResponseTypes: string[];
                        destinations: {
                            /** @description where the destination record goes */
                            onFailure?: {
                                /** @enum {string} */
                                type: "function";
                                function: string;
                            } | {
                                /** @enum {string} */
                                type: "webhook";
                                url: string;
                            };
                        };
                        enabled: boolean;
                        state: string;
                        lastProcessingResult: string;
                        /** @description messages not yet processed (postgres: WAL bytes the slot holds back), as last measured */
                        lag: number | null;
                        lagMeasuredAt: string | null;
                        lastModified: string;
                        /** @description s3-webhook: POST S3 event notifications here */
                        endpoint?: string;
                        /** @description s3-webhook: the bearer token, shown once */
                        token?: string;
                        /** @description a webhook failure destination signing secret, shown once */
                        webhookSecret?: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "CONFLICT",
                     *         "message": "The resource exists already or is in a state that forbids this",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    postS3Notifications: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        /** @description an S3 event notification ({ "Records": [...] }), passed through as received */
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Default Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        requestId: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "PAYLOAD_TOO_LARGE",
                     *         "message": "The request body is larger than this route accepts",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    registerExecutor: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * Format: uuid
                     * @description chosen by the executor, kept across its restarts
                     */
                    id: string;
                    /** @description where the api reaches its POST /invoke */
                    url: string;
                    /** @description most function instances it runs at once */
                    capacity: number;
                    /** @description bearer token the api presents on each invoke */
                    token: string;
                    /** @description 'off' when functions run unisolated (TALLY_SANDBOX=off, a developer switch); default 'on' */
                    sandbox?: "on" | "off";
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        /** @description how often to heartbeat */
                        heartbeatIntervalMs: number;
                        /** @description an executor not heard from for this long gets no work */
                        staleAfterMs: number;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "CONFLICT",
                     *         "message": "The resource exists already or is in a state that forbids this",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    heartbeatExecutor: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    instances: number;
                    busy: number;
                };
            };
        };
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    deregisterExecutor: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listExecutors: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        executors: {
                            id: string;
                            url: string;
                            capacity: number;
                            instances: number;
                            busy: number;
                            /** @description 'off': this executor runs functions unisolated (TALLY_SANDBOX=off) */
                            sandbox: "on" | "off";
                            /** Format: date-time */
                            startedAt: string;
                            /** Format: date-time */
                            lastSeenAt: string;
                        }[];
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getFunctionCode: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sha256: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the zip */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/zip": string;
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getImageBlob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                digest: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the blob */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    ingestLogs: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    invocations: {
                        requestId: string;
                        accountId: string;
                        functionName: string;
                        /** @enum {unknown} */
                        architecture: "x86_64" | "arm64";
                        memoryMb: number;
                        ephemeralStorageMb?: number;
                        dispatchToken?: string;
                        lines: {
                            seq: number;
                            timestamp: number;
                            message: string;
                        }[];
                    }[];
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description lines stored now */
                        accepted: number;
                        /** @description lines stored before (a resend): not stored again */
                        duplicates: number;
                        /** @description invocations refused for good (another account, a bad dispatch token): dropped */
                        refused: number;
                        /** @description lines refused for good for their timestamp (older than the account's retention or the api's maximum age, or ahead of its clock): dropped */
                        outOfRange?: number;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "PAYLOAD_TOO_LARGE",
                     *         "message": "The request body is larger than this route accepts",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getFunctionLogs: {
        parameters: {
            query?: {
                /** @description inclusive; default: as far back as the retention keeps */
                from?: string;
                /** @description exclusive; default: now (ignored when following) */
                to?: string;
                /** @description one invocation's lines */
                requestId?: string;
                /** @description lines containing this text (case-sensitive, as CloudWatch terms) */
                filter?: string;
                /** @description lines per page */
                limit?: number;
                /** @description nextCursor of the previous page */
                cursor?: string;
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        events: {
                            /**
                             * Format: date-time
                             * @description when the executor read the line (ms)
                             */
                            timestamp: string;
                            requestId: string;
                            /** @description the line, without its newline; cut at 256 KB */
                            message: string;
                        }[];
                        /** @description null on the last page */
                        nextCursor: string | null;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getLogRetention: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        accountId: string;
                        days: number;
                        /** @description true while the account has not set its own (30 days) */
                        isDefault: boolean;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    setLogRetention: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description days lines are kept (1 to 3653) */
                    days: number;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        accountId: string;
                        days: number;
                        /** @description true while the account has not set its own (30 days) */
                        isDefault: boolean;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listPublishedVersions: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        versions: {
                            version: number;
                            description: string;
                            /** Format: date-time */
                            publishedAt: string;
                        }[];
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    publishFunctionVersion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    description?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        version: number;
                        description: string;
                        /** Format: date-time */
                        publishedAt: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "CONFLICT",
                     *         "message": "The resource exists already or is in a state that forbids this",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getFunctionAlias: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                alias: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        /** @description a published version, or $LATEST */
                        version: number | "$LATEST";
                        /** @description a weighted alias (Lambda's RoutingConfig): each invocation goes to this version with this probability */
                        routing: {
                            /** @description another published version */
                            version: number;
                            /** @description the share of invocations it gets, 0.0 to 1.0 */
                            weight: number;
                        } | null;
                        description: string;
                        revisionId: string;
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        lastModified: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    putFunctionAlias: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                alias: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    version: number | "$LATEST";
                    description?: string;
                    /** @description null removes it; absent keeps it */
                    routing?: {
                        /** @description another published version */
                        version: number;
                        /** @description the share of invocations it gets, 0.0 to 1.0 */
                        weight: number;
                    } | (never | null);
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        /** @description a published version, or $LATEST */
                        version: number | "$LATEST";
                        /** @description a weighted alias (Lambda's RoutingConfig): each invocation goes to this version with this probability */
                        routing: {
                            /** @description another published version */
                            version: number;
                            /** @description the share of invocations it gets, 0.0 to 1.0 */
                            weight: number;
                        } | null;
                        description: string;
                        revisionId: string;
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        lastModified: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "CONFLICT",
                     *         "message": "The resource exists already or is in a state that forbids this",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    deleteFunctionAlias: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                alias: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listFunctionAliases: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        aliases: {
                            name: string;
                            /** @description a published version, or $LATEST */
                            version: number | "$LATEST";
                            /** @description a weighted alias (Lambda's RoutingConfig): each invocation goes to this version with this probability */
                            routing: {
                                /** @description another published version */
                                version: number;
                                /** @description the share of invocations it gets, 0.0 to 1.0 */
                                weight: number;
                            } | null;
                            description: string;
                            revisionId: string;
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            lastModified: string;
                        }[];
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listAccessKeys: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        accessKeys: {
                            accessKeyId: string;
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            revokedAt: string | null;
                        }[];
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    createAccessKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        accessKeyId: string;
                        /** @description shown once */
                        secretAccessKey: string;
                        /** Format: date-time */
                        createdAt: string;
                    };
                };
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    deleteAccessKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                accessKeyId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Every 4xx and 5xx answer */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "VALIDATION_FAILED",
                     *         "message": "body/memoryMb must be >= 128",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "UNAUTHENTICATED",
                     *         "message": "A valid key is required: Authorization: Bearer <key>",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "FORBIDDEN",
                     *         "message": "This key may not do that",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "NOT_FOUND",
                     *         "message": "No such resource",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every 4xx and 5xx answer */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "RATE_LIMITED",
                     *         "message": "Too many requests; retry after the time in Retry-After",
                     *         "requestId": "0193a1f4-7c2e-7a51-9d0b-3f5e8c1a2b4d"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
}
