import { html, type SafeHtml } from "../../shared/console/html";
import { page } from "./layout";
import { CONSOLE_PATH } from "./respond";

/** Where App Service Authentication is off: the console key (locally, the function key) opens a session. */
export function loginPage(next: string, problem?: string): SafeHtml {
  return page({ title: "Sign in" }, html`<h1>Sign in to the retrainer console</h1>
${problem ? html`<p class="message" role="alert">${problem}</p>` : html``}
<form class="action" method="post" action="${CONSOLE_PATH}/login">
<input type="hidden" name="next" value="${next}">
<p><label for="key">Console key</label><br><input type="password" id="key" name="key" autocomplete="current-password" required size="48"></p>
<p class="muted">Locally (<code>npm run serve</code>) this is the function key it prints. In Azure, turn on App Service Authentication with Microsoft Entra ID instead: people then sign in with their own accounts and their app roles decide what they may do.</p>
<button type="submit" class="primary">Sign in</button>
</form>`);
}
