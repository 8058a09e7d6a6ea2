// Login page: posts the form field `password` to /login with the CSRF header and follows
// {"redirect": "/home"} (relative to the page, so the built-in UI at /builtin/ stays there). `?epwd=<password>` in the address signs in automatically (DREM and
// event tools rely on it); the password is removed from the address bar straight away.

const form = document.getElementById('login-form');
const input = document.getElementById('password');
const show = document.getElementById('show-password');
const error = document.getElementById('login-error');
const submit = document.getElementById('login-submit');

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : '';
}

function showError(text) {
  error.textContent = text;
  error.hidden = !text;
}

async function login(password) {
  showError('');
  submit.disabled = true;
  submit.textContent = 'Unlocking…';
  try {
    const res = await fetch('/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'X-CSRFToken': csrfToken(),
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ password }),
    });
    const text = await res.text();
    let data = null;
    try { data = JSON.parse(text); } catch { data = text; }
    if (res.ok && data && typeof data === 'object' && data.redirect) {
      // relative to this page: /home, or /builtin/home when the built-in UI is opened at /builtin/
      window.location.assign(data.redirect === '/home' ? 'home' : data.redirect);
      return;
    }
    if (res.status === 429) {
      const wait = res.headers.get('Retry-After');
      showError(`Too many attempts. Try again${wait ? ` in ${wait} s` : ' in a moment'}.`);
    } else if (res.status === 400 || res.status === 403) {
      showError('The login page expired. Reload the page and try again.');
    } else if (!res.ok) {
      const reason = data && typeof data === 'object' ? (data.reason || data.detail) : '';
      showError(typeof reason === 'string' && reason ? reason : `The car answered HTTP ${res.status}.`);
    } else {
      showError('The password is incorrect. Use the password printed on the bottom of your vehicle, or the one you set.');
      input.select();
    }
  } catch {
    showError('Cannot reach the car. Check that you are on the same network.');
  } finally {
    submit.disabled = false;
    submit.textContent = 'Access vehicle';
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (input.value) login(input.value);
});

show.addEventListener('change', () => {
  input.type = show.checked ? 'text' : 'password';
});

const params = new URLSearchParams(window.location.search);
const epwd = params.get('epwd');
if (epwd !== null) {
  params.delete('epwd');
  const rest = params.toString();
  window.history.replaceState(null, '', window.location.pathname + (rest ? `?${rest}` : '') + window.location.hash);
  if (epwd) {
    input.value = epwd;
    login(epwd);
  }
}
