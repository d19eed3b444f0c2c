import { chromium } from 'playwright-core';
const [base, tok] = (await import('node:fs')).readFileSync('/tmp/explore.out', 'utf8').split('\n')[0].split(' ');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
const width = Number(process.env.W ?? 375);
const page = await (await browser.newContext({ viewport: { width, height: 900 }, locale: 'fr-FR' })).newPage();
page.on('console', (m) => console.log('console:', m.text()));
await page.goto(`${base}/`);
await page.locator('#token-sign-in summary').click();
await page.getByLabel('Jeton d’accès').fill(tok);
await page.getByLabel('Jeton d’accès').press('Enter');
await page.locator('#nav a').first().waitFor();
await page.goto(`${base}/ui/index.html${process.env.H ?? '#/programme'}`);
await page.locator('main h1').first().waitFor();
await page.waitForTimeout(800);
console.log(await page.evaluate((w) => {
  const out = [`scrollWidth ${document.documentElement.scrollWidth}`];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    let clipped = false; for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) if (getComputedStyle(e).overflowX !== 'visible') clipped = true;
    if (r.right > w + 1 && !clipped) {
      let chain = []; for (let e = el; e && e !== document.body; e = e.parentElement) chain.push(`${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : ''}(${Math.round(e.getBoundingClientRect().width)}, ovx=${getComputedStyle(e).overflowX})`);
      out.push(chain.reverse().join(' > '));
      if (out.length > 6) break;
    }
  }
  return out.join('\n');
}, width));
if (process.env.SHOT) await page.screenshot({ path: process.env.SHOT, fullPage: true });
await browser.close();
