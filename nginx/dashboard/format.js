// Money and dates for people. Amounts are integers in the currency's
// minor unit (API.md); the exponent is ISO 4217's, which Intl carries
// (jpy and ugx 0, kes and usd 2, kwd 3). The service keeps no table of
// its own (fcgi/money.c only does integer arithmetic on minor units).

const formats = new Map();

function currencyFormat(currency) {
	const code = String(currency || '').toUpperCase();
	if (!formats.has(code)) {
		let nf;
		try {
			nf = new Intl.NumberFormat(undefined,
			    { style: 'currency', currency: code });
		} catch {
			nf = null;	/* not a code Intl knows: shown plainly */
		}
		formats.set(code, nf);
	}
	return formats.get(code);
}

/** Digits after the decimal point for CURRENCY (2 when unknown). */
export function exponent(currency) {
	const nf = currencyFormat(currency);
	return nf ? nf.resolvedOptions().maximumFractionDigits : 2;
}

/** Minor units to major units, a number (for the chart). */
export function toMajor(amount, currency) {
	return amount / 10 ** exponent(currency);
}

/** 2500 usd -> "$25.00"; 1000 jpy -> "¥1,000". */
export function money(amount, currency) {
	const nf = currencyFormat(currency);
	if (!nf)
		return `${amount} ${String(currency).toUpperCase()}`;
	return nf.format(toMajor(amount, currency));
}

const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined,
    { dateStyle: 'medium', timeStyle: 'short' });

/** Unix seconds to a date ("Nov 23, 2026"). */
export function date(unix) {
	return unix ? dateFmt.format(new Date(unix * 1000)) : '—';
}

const utcDateFmt = new Intl.DateTimeFormat(undefined,
    { dateStyle: 'medium', timeZone: 'UTC' });

/** A UTC day (the volume's period_start, UTC midnight) as a date. */
export function utcDate(unix) {
	return utcDateFmt.format(new Date(unix * 1000));
}

/** Unix seconds to a date and time. */
export function dateTime(unix) {
	return unix ? dateTimeFmt.format(new Date(unix * 1000)) : '—';
}

/** A <time> element's datetime attribute value. */
export function isoDate(unix) {
	return new Date(unix * 1000).toISOString();
}
