// Starts GOV.UK Frontend's components. A module script, so it needs no inline JavaScript (CSP).
import { initAll } from "../govuk/js/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// GOV.UK Frontend's tabs know only their panels' own ids. A link to something inside a panel
// (for example /systems/1/#comments, which is in the "Consultation" tab, or "#oversight" seen
// from another tab) would otherwise land on a hidden element: show its tab, then move focus to
// it so that keyboard and screen reader users continue from there.
function revealFragmentTarget() {
  let id;
  try {
    id = decodeURIComponent(window.location.hash.slice(1));
  } catch {
    return;
  }
  const target = id && document.getElementById(id);
  const panel = target && target.closest(".govuk-tabs__panel");
  if (!panel || panel === target) {
    return;
  }
  if (panel.classList.contains("govuk-tabs__panel--hidden")) {
    const tabs = panel.closest(".govuk-tabs");
    const tab = tabs && tabs.querySelector(`a.govuk-tabs__tab[href="#${CSS.escape(panel.id)}"]`);
    if (!tab) {
      return;
    }
    tab.click(); // GOV.UK Frontend shows the panel (and puts the panel's id in the address)
  }
  if (!target.matches("a[href], button, input, select, textarea, [tabindex]")) {
    target.setAttribute("tabindex", "-1");
    target.addEventListener("blur", () => target.removeAttribute("tabindex"), { once: true });
  }
  target.focus();
}

revealFragmentTarget();
window.addEventListener("hashchange", revealFragmentTarget);
