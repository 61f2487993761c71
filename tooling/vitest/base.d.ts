import type { TestUserConfig } from "vitest/node";
import type { ViteUserConfig } from "vitest/config";

export function heraldTestConfig(reportName: string, test?: TestUserConfig): ViteUserConfig;

export function chromiumLaunchOptions(): { executablePath: string; args: string[] };
