// Starts GOV.UK Frontend's components. A module script, so it needs no inline JavaScript (CSP).
import { initAll } from "../govuk/js/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
