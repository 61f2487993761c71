/**
 * @herald/client's test harness, reused rather than copied: real servers run in Node by its
 * control server (this package's global setup), users made over HTTP, clients closed after each test.
 */
import { harness } from "../../../client/test/harness/harness.js";
import type { UserInfo } from "../../../client/test/harness/control.js";
// Brings in its declaration of what the control server provides to tests (`inject("controlUrl")`).
import type {} from "../../../client/test/harness/control-server.js";

export { harness };
export { useServer } from "../../../client/test/harness/server-per-file.js";
export { clientFor, stateWhere } from "../../../client/test/harness/clients.js";
export type { UserInfo };
export type { ServerInfo } from "../../../client/test/harness/control.js";

/** One new user per name given (the names only say who is who in the test): `const [alice, bob] = …`. */
export async function signUpUsers<const Names extends readonly string[]>(
  serverId: string,
  names: Names,
): Promise<{ [K in keyof Names]: UserInfo }> {
  const users = await Promise.all(names.map(() => harness.signUp(serverId)));
  return users as { [K in keyof Names]: UserInfo };
}
