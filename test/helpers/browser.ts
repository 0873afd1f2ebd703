/**
 * Real headless Chromium for the browser tests: Debian's `chromium` package driven by playwright-core (which
 * downloads no browser of its own). Where it is not installed the tests skip and say how to get it.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.WALKOUT_CHROMIUM ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or false when they can (pass it as node:test's `skip` option). */
export function browserSkipReason(): string | false {
  if (existsSync(CHROMIUM_PATH)) return false;
  return `no Chromium at ${CHROMIUM_PATH}: install Debian's package (apt-get install -y chromium) or set WALKOUT_CHROMIUM`;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

/** A fresh browser context signed in as staff (the sign-in cookies set directly), one page, and its script errors. */
export async function staffPage(
  browser: Browser,
  base: string,
  token: string,
  name: string,
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext();
  await context.addCookies([
    { name: 'walkout_staff', value: token, url: base },
    { name: 'walkout_staff_name', value: name, url: base },
  ]);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}
