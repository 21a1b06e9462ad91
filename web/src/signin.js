// signin.js: staff sign-in (cookie session; the CSRF token is kept for changes).
import { t, has } from './i18n.js';
import { api, ApiError, problemText, setCSRF } from './api.js';
import { h, id, errorBox, busy, shell } from './ui.js';

// flag marks a browser that has signed in, so that a visitor who never did is not
// asked GET /api/v1/me (a 401 the browser would log as a console error).
const flag = 'trygg-staff';

function setFlag(on) {
	try {
		if (on) localStorage.setItem(flag, '1');
		else localStorage.removeItem(flag);
	} catch { /* storage may be off */ }
}

function hasFlag() {
	try {
		return localStorage.getItem(flag) === '1';
	} catch {
		return true;
	}
}

/** currentUser returns the signed-in caller ({user, csrf_token}) or null. */
export async function currentUser() {
	if (!hasFlag()) return null;
	try {
		const me = await api('GET', '/api/v1/me');
		setCSRF(me.csrf_token);
		return me;
	} catch (err) {
		if (err instanceof ApiError && err.status === 401) {
			setFlag(false);
			return null;
		}
		throw err;
	}
}

/** signInForm returns a sign-in form that calls done(me) once signed in. */
export function signInForm(done) {
	const eid = id('email');
	const pid = id('password');
	const err = errorBox();
	const submit = h('button', { type: 'submit', class: 'primary' }, t('signIn'));
	const form = h('form', { class: 'signin', 'aria-labelledby': 'signin-title' },
		h('h1', { id: 'signin-title', tabindex: '-1' }, t('signInTitle')),
		h('p', { class: 'help' }, t('signInHelp')),
		h('div', { class: 'field' }, h('label', { for: eid }, t('emailLabel')),
			h('input', { id: eid, name: 'email', type: 'email', autocomplete: 'username', required: true })),
		h('div', { class: 'field' }, h('label', { for: pid }, t('password')),
			h('input', { id: pid, name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
		err, submit);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		err.show('');
		const fd = new FormData(form);
		try {
			const me = await busy(submit, t('signingIn'), () => api('POST', '/api/v1/session',
				{ email: String(fd.get('email')).trim(), password: String(fd.get('password')) }));
			setCSRF(me.csrf_token);
			setFlag(true);
			done(me);
		} catch (ex) {
			err.show(problemText(ex, 'signin'));
			form.querySelector('input[type=password]').select();
		}
	});
	return form;
}

/** signOutButton ends the session and calls done. */
export function signOutButton(done) {
	const b = h('button', { type: 'button', class: 'small' }, t('signOut'));
	b.addEventListener('click', async () => {
		try {
			await api('DELETE', '/api/v1/session');
		} catch { /* the session may be gone already */ }
		setCSRF('');
		setFlag(false);
		done();
	});
	return b;
}

/** whoText says who is signed in. */
export function whoText(me) {
	return t('signedInAs', { email: me.user.email, role: has(`role_${me.user.role}`) ? t(`role_${me.user.role}`) : me.user.role });
}

/**
 * staffPage opens a staff view titled by the i18n key title: a sign-in form when nobody
 * is signed in (then null), else the page's main element, with who is signed in and a
 * sign-out button in the header, and the user.
 */
export async function staffPage(title, rerender) {
	let main = shell(t(title), rerender);
	let me;
	try {
		me = await currentUser();
	} catch (err) {
		main.append(h('p', { class: 'error', role: 'alert' }, problemText(err)));
		return null;
	}
	if (!me) {
		main.classList.add('page');
		main.append(signInForm(() => rerender()));
		main.querySelector('input')?.focus();
		return null;
	}
	main = shell(t(title), rerender, [h('span', { class: 'who' }, whoText(me)), signOutButton(rerender)]);
	return { main, me };
}
