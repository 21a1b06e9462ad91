// photos.js: a report's photos: thumbnails, the reporter's "Lägg till foto" and remove
// buttons (the receipt and the status page, with the erasure token, before moderation)
// and the moderator's remove buttons. The server re-encodes each photo without its EXIF.
// An unpublished report's photos are fetched with the erasure token and shown from
// blob: URLs, since an <img> cannot send a header; staff's session cookie goes with
// a plain <img>, and published photos are public.
import { t } from './i18n.js';
import { api, ApiError, problemText } from './api.js';
import { h, id, announce, errorBox, busy } from './ui.js';

export const maxPhotos = 3;
const maxBytes = 10 << 20;
const types = ['image/jpeg', 'image/png', 'image/webp'];

/** photoError says in plain words why an upload was refused. */
function photoError(err) {
	if (!(err instanceof ApiError)) return problemText(err);
	const { status } = err;
	const field = err.problem?.field;
	if (status === 413) return t('photoTooBig');
	if (status === 415) return t('photoWrongType');
	if (status === 409 && field === 'photos') return t('photoMax');
	if (status === 403 && field === 'Erasure-Token') return t('photoModerated');
	if (status === 422 && field === 'body') return t('photoTooManyPixels');
	if (status === 400 && field === 'body') return t('photoUnreadable');
	return problemText(err);
}

/** src is url itself, or with a token the blob: URL of what it answers with the token. */
async function src(url, token) {
	if (!token) return url;
	const resp = await fetch(url, { headers: { 'Erasure-Token': token }, credentials: 'same-origin' });
	if (!resp.ok) throw new ApiError(resp.status, null);
	return URL.createObjectURL(await resp.blob());
}

/**
 * photoList shows photos ({url, thumbnail_url, width, height}) as thumbnails that open
 * the photo; with token they are fetched with it; onRemove(photo, button) adds a
 * remove button to each.
 */
export function photoList(photos, { token = '', onRemove } = {}) {
	return h('ul', { class: 'photo-list', 'data-testid': 'photo-list' }, photos.map((p, i) => {
		const n = i + 1;
		const img = h('img', { class: 'photo-thumb', alt: t('photoAlt', { n }), 'data-testid': 'photo-thumb', decoding: 'async' });
		src(p.thumbnail_url, token).then((s) => { img.src = s; }).catch(() => { img.alt = t('photoUnavailable', { n }); });
		const open = h('a', { href: token ? '#' : p.url, target: '_blank', rel: 'noopener', title: t('photoOpen', { n }) }, img);
		if (token) {
			open.addEventListener('click', async (e) => {
				e.preventDefault();
				const w = window.open('', '_blank');
				try {
					const s = await src(p.url, token);
					if (w) w.location.href = s;
				} catch { w?.close(); }
			});
		}
		const li = h('li', null, open);
		if (onRemove) {
			const b = h('button', { type: 'button', class: 'small danger', 'data-testid': 'photo-remove' }, t('photoRemove', { n }));
			b.addEventListener('click', () => onRemove(p, b));
			li.append(b);
		}
		return li;
	}));
}

/**
 * photoUploader is the reporter's photos of report reportId: those added so far, each
 * with a remove button, and "Lägg till foto" (up to maxPhotos), sending each file as it
 * is with the erasure token.
 */
export function photoUploader(reportId, token, photos = []) {
	const list = photos.slice();
	const inputId = id('photo');
	const input = h('input', { id: inputId, type: 'file', accept: 'image/*', class: 'sr-only photo-input', 'data-testid': 'photo-input' });
	const label = h('label', { for: inputId, class: 'button' }, t('photoAdd'));
	const listSlot = h('div');
	const count = h('p', { class: 'muted', 'aria-live': 'polite', 'data-testid': 'photo-count' });
	const err = errorBox();
	const adder = h('div', { class: 'row' }, input, label);
	const onRemove = async (p, b) => {
		if (!window.confirm(t('photoRemoveConfirm'))) return;
		err.show('');
		try {
			await busy(b, t('working'), () => api('DELETE', p.url, undefined, { 'Erasure-Token': token }));
			list.splice(list.findIndex((x) => x.url === p.url), 1);
			announce(t('photoRemoved'));
			draw();
			input.focus();
		} catch (ex) {
			err.show(photoError(ex));
		}
	};
	const draw = () => {
		listSlot.replaceChildren(list.length ? photoList(list, { token, onRemove }) : '');
		count.textContent = t('photoCount', { n: list.length, max: maxPhotos });
		adder.style.display = list.length >= maxPhotos ? 'none' : ''; // .row's display would win over [hidden]
	};
	input.addEventListener('change', async () => {
		const file = input.files?.[0];
		input.value = '';
		if (!file) return;
		err.show('');
		if (file.size > maxBytes) return err.show(t('photoTooBig'));
		if (file.type && !file.type.startsWith('image/')) return err.show(t('photoWrongType'));
		// Some phones name no type or an unusual one: the server looks at the bytes.
		const body = types.includes(file.type) ? file : new Blob([file], { type: 'image/jpeg' });
		const path = `/api/v1/reports/${encodeURIComponent(reportId)}/photos`;
		label.setAttribute('aria-busy', 'true');
		count.textContent = t('photoUploading');
		try {
			const out = await api('POST', path, body, { 'Erasure-Token': token });
			if (!list.some((p) => p.url === out.url)) list.push(out);
			announce(t('photoAdded'));
		} catch (ex) {
			err.show(photoError(ex));
		} finally {
			label.removeAttribute('aria-busy');
			draw();
		}
	});
	draw();
	return h('section', { class: 'photos', 'data-testid': 'photo-uploader', 'aria-labelledby': `${inputId}-title` },
		h('h2', { id: `${inputId}-title` }, t('photosTitle')),
		listSlot, count, adder, h('p', { class: 'help' }, t('photoHelp')), err);
}

/**
 * moderatorPhotos shows a report's photos with a remove button each (staff, by the
 * session); removed(photo) is told after one is removed.
 */
export function moderatorPhotos(photos, removed) {
	const err = errorBox();
	const onRemove = async (p, b) => {
		if (!window.confirm(t('photoRemoveConfirm'))) return;
		err.show('');
		try {
			await busy(b, t('working'), () => api('DELETE', p.url));
			announce(t('photoRemoved'));
			removed(p);
		} catch (ex) {
			err.show(problemText(ex));
		}
	};
	return h('section', { class: 'photos', 'data-testid': 'moderation-photos' },
		h('h3', null, t('photosTitle')), photoList(photos, { onRemove }), err);
}
