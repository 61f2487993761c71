/**
 * A PostgreSQL array literal of text, `{"a","b"}`, to pass as one parameter cast to `text[]`:
 * one parameter for a thousand ids (`unnest`, `= any`) instead of a thousand, which postgres-js
 * and drizzle are slow to build. A host's user ids may hold commas, quotes or backslashes
 * (docs/protocol.md §1), so every element is quoted, its quotes and backslashes escaped, as
 * the array syntax wants.
 */
export function textArrayLiteral(values: readonly string[]): string {
  return nullableTextArrayLiteral(values);
}

/** The same, where an element may be null (an unquoted NULL). */
export function nullableTextArrayLiteral(values: ReadonlyArray<string | null>): string {
  return `{${values.map((value) => (value === null ? "NULL" : `"${value.replace(/[\\"]/g, "\\$&")}"`)).join(",")}}`;
}
