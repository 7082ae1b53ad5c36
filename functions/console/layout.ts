import { html, type SafeHtml } from "../../shared/console/html";
import type { ConsoleUser } from "../../shared/console/session";
import { CONSOLE_PATH } from "./respond";

export interface PageOptions {
  readonly title: string;
  readonly user?: ConsoleUser;
  readonly csrf?: string;
  /** Entra sign-out goes through App Service; a key's session through the console. */
  readonly entra?: boolean;
  /** Where the page asks whether it changed (a run in progress); the script swaps `<main>` when it has. */
  readonly live?: { readonly url: string; readonly version: string };
  readonly breadcrumbs?: readonly { readonly href: string; readonly text: string }[];
}

/** The page around every view: one stylesheet and one script of our own, nothing else loaded. */
export function page(o: PageOptions, body: SafeHtml): SafeHtml {
  const signOut = o.user
    ? o.entra
      ? html`<a href="/.auth/logout">Sign out</a>`
      : html`<form method="post" action="${CONSOLE_PATH}/logout" class="inline"><input type="hidden" name="csrf" value="${o.csrf ?? ""}"><button type="submit" class="link">Sign out</button></form>`
    : html``;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · retrainer</title>
<link rel="stylesheet" href="${CONSOLE_PATH}/assets/console.css">
<link rel="icon" href="data:,">
${o.csrf ? html`<meta name="csrf-token" content="${o.csrf}">` : html``}
</head>
<body>
<header class="top">
<a class="brand" href="${CONSOLE_PATH}">retrainer</a>
<nav aria-label="Breadcrumb"><ol class="crumbs">${(o.breadcrumbs ?? []).map((b) => html`<li><a href="${b.href}">${b.text}</a></li>`)}<li aria-current="page">${o.title}</li></ol></nav>
${o.user ? html`<div class="who"><span>${o.user.name}</span> <span class="roles">${o.user.roles.join(", ")}</span> ${signOut}</div>` : html``}
</header>
<main id="main"${o.live ? html` data-live="${o.live.url}" data-version="${o.live.version}"` : html``}>
${body}
</main>
<script src="${CONSOLE_PATH}/assets/console.js"></script>
</body>
</html>
`;
}

/** A page that says what went wrong and what to do, in the console's own frame. */
export function messagePage(title: string, message: string, o: Omit<PageOptions, "title"> = {}, link?: { href: string; text: string }): SafeHtml {
  return page({ ...o, title }, html`<h1>${title}</h1><p class="message" role="alert">${message}</p>${link ? html`<p><a href="${link.href}">${link.text}</a></p>` : html``}`);
}
