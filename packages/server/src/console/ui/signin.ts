const form = document.getElementById('signin') as HTMLFormElement;
const error = document.getElementById('signin-error') as HTMLParagraphElement;

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const password = (document.getElementById('password') as HTMLInputElement).value;
  error.hidden = true;
  void fetch('/console/api/signin', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }), credentials: 'same-origin' }).then(async (res) => {
    if (res.ok) return location.assign('/console/');
    const body = (await res.json().catch(() => ({}))) as { message?: string };
    error.textContent = body.message ?? `sign-in failed (${res.status})`;
    error.hidden = false;
  });
});
