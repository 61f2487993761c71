import { heraldTestConfig } from "@herald/vitest-config";

// The test's own server runs on source; the script under test runs on the compiled client (plain node).
export default heraldTestConfig("example-node-client");
