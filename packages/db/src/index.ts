export * from "./schema.js";
export * as schema from "./schema.js";
export { openDatabase, DatabaseUnavailableError, withDeadline, QUERY_DEADLINE_MS } from "./client.js";
export { executeBatch, executeRows, inlineParams, runsOnThisThread, statement, type Statement } from "./statement.js";
export { restrictToOwner } from "./private-files.js";
export type { Database, DatabaseHandle, DatabaseOptions } from "./client.js";
