// PDF reports: the HTML report printed by headless Chromium (Debian's `chromium`, driven
// by playwright-core; no browser is downloaded). The page is served to the browser from
// memory under a name that cannot resolve, and every other request is refused and
// counted, so a report that tried to fetch anything would be noticed, not printed.
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { BlotterError } from "../errors.js";
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
const DEFAULT_TIMEOUT_MS = 30_000;
// The page's own address: .invalid never resolves (RFC 2606), so nothing leaves the machine.
export const PAGE_URL = 'http://report.blotter.invalid/report.html';
// The Chromium to run: the option, else BLOTTER_CHROMIUM, else Debian's. A missing one is
// an error that says how to get one, never a silent skip.
export function chromiumPath(explicit) {
    const file = explicit ?? process.env.BLOTTER_CHROMIUM ?? DEFAULT_CHROMIUM;
    try {
        fs.accessSync(file, fs.constants.X_OK);
    }
    catch {
        throw new BlotterError('CHROMIUM_MISSING', `Chromium is needed for PDF reports and was not found at ${file}: install it (Debian/Ubuntu: apt-get install chromium) `
            + 'or set BLOTTER_CHROMIUM to a Chromium or Chrome executable');
    }
    return file;
}
export async function withBrowser(fn, opts = {}) {
    const executablePath = chromiumPath(opts.chromium);
    const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let browser;
    try {
        browser = await chromium.launch({
            executablePath,
            headless: true,
            timeout,
            // Chromium's sandbox refuses to run as root (CI, containers); a report page runs no
            // script of its own and can fetch nothing, so there is little for it to contain.
            args: [
                ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
                '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--no-default-browser-check',
                '--disable-extensions', '--disable-background-networking', '--disable-component-update', '--disable-sync',
            ],
        });
    }
    catch (err) {
        throw new BlotterError('CHROMIUM_FAILED', `Chromium at ${executablePath} did not start: ${err.message.split('\n')[0]}`, { cause: err });
    }
    try {
        return await fn(browser);
    }
    finally {
        await browser.close();
    }
}
// Opens the HTML in a new page of this width, serving it at PAGE_URL and refusing anything else.
export async function loadHtml(browser, html, opts = {}) {
    const width = opts.width ?? 1280;
    const context = await browser.newContext({
        viewport: { width, height: opts.height ?? 900 },
        deviceScaleFactor: width < 600 ? 2 : 1,
        isMobile: width < 600,
        hasTouch: width < 600,
        javaScriptEnabled: false, // the report needs none; none can run
        offline: false,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const requests = [];
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error')
        errors.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await context.route('**/*', (route) => route.request().url() === PAGE_URL
        ? route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html })
        : route.abort('blockedbyclient'));
    await page.goto(PAGE_URL, { waitUntil: 'load' });
    return { page, requests, errors };
}
export async function htmlToPdf(html, opts = {}) {
    return withBrowser(async (browser) => {
        const { page, requests } = await loadHtml(browser, html, { width: 1024, timeoutMs: opts.timeoutMs });
        const blocked = requests.filter((u) => u !== PAGE_URL);
        if (blocked.length)
            throw new BlotterError('REPORT_FETCH', `the report page asked for ${blocked.length} outside resource(s), first ${blocked[0]}: a report must be self-contained`);
        await page.emulateMedia({ media: 'print' });
        const small = 'font-family: system-ui, sans-serif; font-size: 8px; color: #6b7280; width: 100%; padding: 0 14mm;';
        const footer = escapeHtml(opts.footer ?? '');
        const pdf = await page.pdf({
            format: opts.paper ?? 'A4',
            landscape: opts.landscape ?? false,
            printBackground: true,
            margin: { top: '14mm', bottom: '16mm', left: '12mm', right: '12mm' },
            displayHeaderFooter: true,
            headerTemplate: '<span></span>',
            footerTemplate: `<div style="${small} display: flex; justify-content: space-between;"><span>${footer}</span>`
                + '<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>',
        });
        return pdf;
    }, opts);
}
// A picture of the page at this width (full length), with what the page did while loading:
// tests and a person checking the layout use it.
export async function screenshot(html, file, opts) {
    return withBrowser(async (browser) => {
        const { page, requests, errors } = await loadHtml(browser, html, { width: opts.width, timeoutMs: opts.timeoutMs });
        const overflowPx = await horizontalOverflow(page);
        await page.screenshot({ path: file, fullPage: true });
        return { requests, errors, overflowPx };
    }, opts);
}
// How far the document is wider than the viewport (0 when nothing sticks out sideways).
export async function horizontalOverflow(page) {
    // A string, evaluated in the page: this project compiles without the DOM's types.
    const { scroll, client } = await page.evaluate('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })');
    return Math.max(0, scroll - client);
}
function escapeHtml(s) {
    return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
