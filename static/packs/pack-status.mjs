// Keeps an audit pack's status box up to date without reloading the page.
// The box is a polite live region: when the server's status changes (queued → being produced
// → ready or failed), its new content is read out. Without JavaScript the page still works:
// reloading it shows the current status.

const FIRST_DELAY_MS = 1500;
const MAX_DELAY_MS = 10000;
const GIVE_UP_AFTER_MS = 30 * 60 * 1000;
const IN_PROGRESS = new Set(["queued", "rendering"]);

function stateOf(region) {
  const box = region.querySelector("[data-pack-state]");
  return box ? box.dataset.packState : "";
}

function watch(region) {
  const url = region.dataset.packStatusUrl;
  const startedAt = Date.now();
  let delay = FIRST_DELAY_MS;

  async function poll() {
    if (!IN_PROGRESS.has(stateOf(region)) || Date.now() - startedAt > GIVE_UP_AFTER_MS) {
      return;
    }
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "text/html" },
      });
      if (response.ok) {
        const html = (await response.text()).trim();
        if (html !== region.innerHTML.trim()) {
          region.innerHTML = html; // same-origin, server-rendered and autoescaped
          delay = FIRST_DELAY_MS;
        } else {
          delay = Math.min(delay * 1.5, MAX_DELAY_MS);
        }
      }
    } catch {
      delay = MAX_DELAY_MS; // offline for a moment: keep trying, more slowly
    }
    window.setTimeout(poll, delay);
  }

  window.setTimeout(poll, delay);
}

document.querySelectorAll("[data-pack-status-url]").forEach(watch);
