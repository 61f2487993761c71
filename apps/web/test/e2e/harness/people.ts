/** People for a test: each in their own browser, signed up under a fresh username. */
import { signUp, uniqueName } from "./app";
import { openBrowser, openBrowsers, type BrowserUser } from "./browser";

export interface Person extends BrowserUser {
  name: string;
}

/** Opens the browsers together, then signs each person up; `opened` collects them for cleanup. */
export async function signedUpPeople<const P extends readonly string[]>(
  url: string,
  prefixes: P,
  opened: BrowserUser[],
): Promise<{ [K in keyof P]: Person }> {
  const browsers = await openBrowsers(url, prefixes.length);
  opened.push(...browsers);
  const people = browsers.map((browser, i) => ({ ...browser, name: uniqueName(prefixes[i]!) }));
  for (const person of people) await signUp(person.page, person.name);
  return people as { [K in keyof P]: Person };
}

/** A person's second device: another browser, signed in as them. */
export async function anotherBrowser(url: string, opened: BrowserUser[]): Promise<BrowserUser> {
  const browser = await openBrowser(url);
  opened.push(browser);
  return browser;
}
