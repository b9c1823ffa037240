// Debian's Chromium, headless, driven by playwright-core (which must not download a browser).
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Extension-host console lines reach the page as ["%c INFO", "color: …", format, …args]. */
export async function extensionHostLine(message) {
  const args = await Promise.all(message.args().map((a) => a.jsonValue().catch(() => '')));
  if (typeof args[0] !== 'string' || !args[0].startsWith('%c ') || args.length < 3) return undefined;
  const { format } = await import('node:util');
  return format(...args.slice(2));
}
