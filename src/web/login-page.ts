/**
 * The staff sign-in form, rendered on the server so it works before any script loads. Every value put into the
 * page is HTML-escaped.
 */
import { documentHead, escapeHtml } from './shell.ts';

export function loginPage(options: { next: string; storeName: string; error?: string; name?: string }): string {
  const error = options.error ? `<p class="form-error" role="alert">${escapeHtml(options.error)}</p>` : '';
  return `${documentHead({ title: `Sign in · ${options.storeName}` })}
<body class="login">
<main class="login-card">
  <h1>Walkout staff</h1>
  <p class="muted">${escapeHtml(options.storeName)}</p>
  ${error}
  <form method="post" action="/staff/login">
    <input type="hidden" name="next" value="${escapeHtml(options.next)}">
    <label>Your name <span class="muted">(recorded with review decisions)</span>
      <input name="name" autocomplete="username" maxlength="40" placeholder="e.g. Sam" value="${escapeHtml(options.name ?? '')}">
    </label>
    <label>Staff token
      <input name="token" type="password" autocomplete="current-password" required autofocus>
    </label>
    <button type="submit" class="primary">Sign in</button>
  </form>
</main>
</body>
</html>
`;
}
