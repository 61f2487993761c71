import { heraldTestConfig } from "@herald/vitest-config";

export default heraldTestConfig("example-host-app");
