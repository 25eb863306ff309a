// Debian's Chromium as the browser tests drive it (playwright-core with executablePath: nothing is
// downloaded), one place for where it is and how it is started.

/** Where Chromium is: CHROMIUM_PATH, or Debian's package. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Headless, in a container (no sandbox, no GPU), and quiet: nothing reaches out on its own. */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
