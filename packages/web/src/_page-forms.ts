import { html } from './_html.ts';
import { layout, packagePath, type PageContext } from './_layout.ts';

/** The login form: the same user name and password as `npm login`. @internal */
export function loginPage(ctx: PageContext, next: string, error: string | null, name = ''): string {
  const main = html`<div class="narrow card">
<h1>Log in</h1>
<p class="muted">Use the same user name and password as <code>npm login</code> against this registry.</p>
${error ? html`<div class="flash error" role="alert">${error}</div>` : null}
<form method="post" action="/-/web/login">
  <input type="hidden" name="_csrf" value="${ctx.csrf}"><input type="hidden" name="next" value="${next}">
  <label for="login-name">User name</label>
  <input id="login-name" type="text" name="name" value="${name}" autocomplete="username" autocapitalize="none" spellcheck="false" required>
  <label for="login-password">Password</label>
  <input id="login-password" type="password" name="password" autocomplete="current-password" required>
  <div class="form-actions"><button type="submit">Log in</button></div>
</form>
</div>`;
  return layout(ctx, 'Log in', main);
}

/** The rollback confirmation page (what the Rollback link opens without scripts). @internal */
export function rollbackPage(ctx: PageContext, name: string, version: string, current: string | null): string {
  const main = html`<div class="narrow card">
<h1>Roll back ${name}</h1>
<p>Move <span class="badge tag">latest</span> from <strong>${current ?? '—'}</strong> to <strong>${version}</strong>? Installs get ${version} from now on; the history records who did it and why.</p>
<form method="post" action="/-/web/rollback">
  <input type="hidden" name="_csrf" value="${ctx.csrf}"><input type="hidden" name="package" value="${name}"><input type="hidden" name="tag" value="latest"><input type="hidden" name="from" value="${current ?? ''}"><input type="hidden" name="version" value="${version}">
  <label for="reason">Reason <span class="muted">(optional)</span></label>
  <textarea id="reason" name="reason" maxlength="500"></textarea>
  <div class="form-actions"><a class="button secondary" href="${packagePath(name)}#versions">Cancel</a><button type="submit" class="danger">Roll back</button></div>
</form>
</div>`;
  return layout(ctx, `Roll back ${name}`, main);
}

/** Deprecate (with a message) or undeprecate one version. @internal */
export function deprecatePage(ctx: PageContext, name: string, version: string, current: string | null): string {
  const main = html`<div class="narrow card">
<h1>${current ? 'Undeprecate' : 'Deprecate'} ${name}@${version}</h1>
${current ? html`<p>Deprecated now: “${current}”. Leave the message empty to remove the deprecation.</p>` : html`<p>npm, pnpm, yarn and bun show the message to everyone who installs this version.</p>`}
<form method="post" action="/-/web/deprecate">
  <input type="hidden" name="_csrf" value="${ctx.csrf}"><input type="hidden" name="package" value="${name}"><input type="hidden" name="version" value="${version}">
  <label for="message">Message</label>
  <input id="message" type="text" name="message" value="" maxlength="500" placeholder="${current ? '(empty removes the deprecation)' : 'e.g. use 2.x, 1.x is no longer maintained'}">
  <div class="form-actions"><a class="button secondary" href="${packagePath(name)}#versions">Cancel</a><button type="submit">${current ? 'Save' : 'Deprecate'}</button></div>
</form>
</div>`;
  return layout(ctx, `Deprecate ${name}@${version}`, main);
}

/** An error page with its status. @internal */
export function errorPage(ctx: PageContext, title: string, message: string): string {
  return layout(ctx, title, html`<div class="narrow card"><h1>${title}</h1><p>${message}</p><p><a href="/">All packages</a></p></div>`);
}
