import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (CI installs it: .ci/run); CHROMIUM_PATH overrides. A missing browser fails the suite, never skips it. */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** One browser per suite: call in beforeAll, close in afterAll. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no chromium at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
}

export interface Viewport {
  readonly width: number;
  readonly height: number;
}

export const DESKTOP: Viewport = { width: 1280, height: 800 };
export const PHONE: Viewport = { width: 390, height: 844 };

/** A page in its own context (own sessionStorage), with every console error and uncaught exception collected. */
export interface TestPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Console messages of type error and uncaught page errors, in order. */
  readonly errors: string[];
  /** The errors, minus Chrome's "Failed to load resource" lines for the given HTTP statuses (a test that expects the API to refuse). */
  unexpectedErrors(allowStatuses?: readonly number[]): string[];
  close(): Promise<void>;
}

export async function openPage(browser: Browser, viewport: Viewport = DESKTOP): Promise<TestPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(8000); // under the test timeout, so a missing element fails with its locator
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  // Destructive actions ask with window.confirm: the tests say yes.
  page.on('dialog', (d) => void d.accept());
  return {
    page,
    context,
    errors,
    unexpectedErrors: (allow = []) =>
      errors.filter((e) => !allow.some((s) => e.startsWith(`Failed to load resource: the server responded with a status of ${s} `))),
    close: () => context.close(),
  };
}

/** Opens the dashboard at baseUrl + hash and logs in through its form; resolves once the first page has rendered. */
export async function login(page: Page, baseUrl: string, user = 'guest', password = 'guest', hash = ''): Promise<void> {
  await page.goto(`${baseUrl}/${hash}`);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('body[data-refreshes]').waitFor();
}

/** The number of live refreshes the page has done (the dashboard counts them on <body data-refreshes>). */
export async function refreshes(page: Page): Promise<number> {
  return Number((await page.locator('body').getAttribute('data-refreshes')) ?? '0');
}

/**
 * Whether anything sticks out sideways: the document is wider than the viewport, or a box scrolls sideways inside
 * it (a table in an overflow: auto wrapper is not readable either).
 */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  return js<boolean>(page, `document.documentElement.scrollWidth > document.documentElement.clientWidth ||
    [...document.querySelectorAll('main *')].some((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible' && e.tagName !== 'TEXTAREA')`);
}

/** Evaluates a JavaScript expression in the page (a string: the test sources are typed without the DOM library). */
export async function js<T>(page: Page, expression: string): Promise<T> {
  return (await page.evaluate(expression)) as T;
}
