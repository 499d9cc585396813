// When the session ends while a page is open (signed out in another tab, expired, or signed
// in again elsewhere), the page's CSRF token no longer matches. Rather than lose what the
// user did, the save queue keeps it and asks here for the new session's token once the
// user has signed in again (in another tab: the cookie is shared).

const HOME = "/";

/**
 * Fetches a light page with the current cookie. Signed in: copies that page's CSRF token
 * into this page (meta tag and every form's `_csrf` field) and resolves `true`. Still
 * signed out (the server sends the request to the sign-in page): resolves `false`.
 */
export async function renewSession() {
  let response;
  try {
    response = await fetch(HOME, { credentials: "same-origin", headers: { Accept: "text/html" } });
  } catch {
    return false;
  }
  if (!response.ok || new URL(response.url).pathname.startsWith("/login")) return false;
  const html = await response.text();
  const page = new DOMParser().parseFromString(html, "text/html");
  const signedIn = page.querySelector('form[action="/logout"]');
  const token = page.querySelector('meta[name="csrf-token"]')?.content;
  if (!signedIn || !token) return false;
  document.querySelector('meta[name="csrf-token"]')?.setAttribute("content", token);
  for (const field of document.querySelectorAll('input[name="_csrf"]')) field.value = token;
  return true;
}
