// Warns a signed-in person before GovReg signs them out for inactivity, and lets them stay
// signed in (WCAG 2.2.1 Timing Adjustable). The server decides when a session ends
// (accounts/idle.py); the page only follows its clock, given in the dialog's data attributes:
//   data-idle-remaining   seconds until the server signs this person out
//   data-idle-warning     seconds before that to open the dialog
//   data-idle-timeout     the whole idle time, counted again after "Stay signed in"
//   data-idle-keep-alive-url, data-idle-login-url
// "Stay signed in" (or Escape) POSTs to the keep-alive URL with the page's CSRF token; "Sign
// out" submits the dialog's sign-out form. When the time is up, the page goes to the sign-in
// page, which says why and comes back here afterwards.

const MARGIN_MS = 1500; // go to the sign-in page just after the server's limit, never before
const MAX_WAIT_MS = 30000; // check again at least this often (timers stop while a laptop sleeps)

function start(dialog) {
  const seconds = (name) => Number.parseInt(dialog.dataset[name], 10) || 0;
  const timeoutMs = seconds("idleTimeout") * 1000;
  const warningMs = seconds("idleWarning") * 1000;
  const keepAliveUrl = dialog.dataset.idleKeepAliveUrl;
  const loginUrl = dialog.dataset.idleLoginUrl;
  const form = dialog.querySelector("form[data-idle-sign-out-form]");
  const stay = dialog.querySelector("[data-idle-stay]");
  const signOut = dialog.querySelector("[data-idle-sign-out]");
  let deadline = Date.now() + seconds("idleRemaining") * 1000;
  let timer = null;
  let returnFocus = null;
  let leaving = false;
  let busy = false;

  function check() {
    window.clearTimeout(timer);
    if (leaving) {
      return;
    }
    const now = Date.now();
    if (now >= deadline + MARGIN_MS) {
      leave();
      return;
    }
    let next = deadline + MARGIN_MS;
    if (now >= deadline - warningMs) {
      open();
    } else {
      next = deadline - warningMs;
    }
    timer = window.setTimeout(check, Math.min(next - now, MAX_WAIT_MS));
  }

  function open() {
    if (dialog.open) {
      return;
    }
    returnFocus = document.activeElement;
    dialog.showModal();
    stay.focus();
  }

  function close() {
    if (dialog.open) {
      dialog.close();
    }
    if (returnFocus && returnFocus.isConnected && typeof returnFocus.focus === "function") {
      returnFocus.focus();
    }
    returnFocus = null;
  }

  function leave() {
    leaving = true;
    window.location.assign(loginUrl);
  }

  async function staySignedIn() {
    if (busy) {
      return;
    }
    busy = true;
    let response = null;
    try {
      response = await fetch(keepAliveUrl, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRFToken": form.elements.csrfmiddlewaretoken.value },
      });
    } catch {
      // Offline for a moment: the dialog stays open and the button can be pressed again.
    } finally {
      busy = false;
    }
    if (response === null) {
      return;
    }
    if (response.status !== 204) {
      leave(); // signed out already (here or in another tab)
      return;
    }
    deadline = Date.now() + timeoutMs;
    close();
    check();
  }

  stay.addEventListener("click", staySignedIn);
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault(); // Escape means "stay signed in", not "ignore the warning"
    staySignedIn();
  });
  signOut.addEventListener("click", (event) => {
    event.preventDefault();
    leaving = true;
    form.submit();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      check();
    }
  });
  check();
}

const dialog = document.querySelector("dialog[data-idle-keep-alive-url]");
if (dialog && typeof dialog.showModal === "function") {
  start(dialog);
}
