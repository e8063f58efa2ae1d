/*
 * Pure validators and normalisers (API.md "Customers", "Payments",
 * "Payment methods"): UTF-8 and text, email, E.164 phone, ISO 4217
 * currency, metadata keys and values, and the Luhn scan that refuses raw
 * card numbers. Nothing here allocates, touches a request or sets an API
 * error; each answers 0 or -1, or writes a normalised copy.
 */
#include <stdlib.h>
#include <string.h>

#include "valid.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* Luhn scan (API.md "Payment methods"): card numbers are 13..19 digits. */
#define CARD_MIN	13
#define CARD_MAX	19

/*
 * Active ISO 4217 alphabetic codes (list one), sorted for bsearch(3).
 * Taken from list one as of 2025: HRK (withdrawn 2023) is gone, ZWG and
 * XCG (added 2024) are in, and the test and "no currency" codes XTS and
 * XXX are left out on purpose. Codes still in a transition period (ANG,
 * CUC, SLL, ZWL) stay: refusing a code a caller may still hold is worse
 * than accepting one a little longer.
 */
static const char	 currencies[][4] = {
	"AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD",
	"AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF",
	"BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP",
	"BYN", "BZD", "CAD", "CDF", "CHE", "CHF", "CHW", "CLF",
	"CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP", "CVE",
	"CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB",
	"EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD",
	"GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR",
	"ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY",
	"KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD",
	"KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD",
	"MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR",
	"MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN",
	"NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK",
	"PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB",
	"RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP",
	"SLE", "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
	"SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD",
	"TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU",
	"UYW", "UZS", "VED", "VES", "VND", "VUV", "WST", "XAF",
	"XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG",
	"XDR", "XOF", "XPD", "XPF", "XPT", "XSU", "XUA", "YER",
	"ZAR", "ZMW", "ZWG", "ZWL",
};

/* Local ASCII classes: <ctype.h> depends on the locale and on sign. */
static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' ||
	    c == '\v' || c == '\f' || c == '\r';
}

/*
 * Decodes the code point at p[0..len) into "cp". Returns its length in
 * bytes (1..4), or 0 if the bytes are not well-formed. The bounds on the
 * second byte are Unicode's table 3-7: they alone refuse overlongs (C0,
 * C1, E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and code points past
 * U+10FFFF (F4 90..BF, F5..FF).
 */
static size_t
utf8_decode(const unsigned char *p, size_t len, unsigned long *cp)
{
	unsigned char	 lo = 0x80, hi = 0xBF;
	unsigned long	 c;
	size_t		 n, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		n = 2;
		c = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		n = 3;
		c = p[0] & 0x0F;
		if (p[0] == 0xE0)
			lo = 0xA0;
		else if (p[0] == 0xED)
			hi = 0x9F;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		n = 4;
		c = p[0] & 0x07;
		if (p[0] == 0xF0)
			lo = 0x90;
		else if (p[0] == 0xF4)
			hi = 0x8F;
	} else
		return 0;	/* continuation, C0/C1 or F5..FF lead byte */

	if (len < n || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	*cp = c;
	return n;
}

int
valid_utf8(const char *buf, size_t len)
{
	const unsigned char	*p = (const unsigned char *)buf;
	unsigned long		 cp;
	size_t			 n;

	while (len > 0) {
		/* NUL would end the string early in C and in MariaDB logs. */
		if ((n = utf8_decode(p, len, &cp)) == 0 || cp == 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

size_t
valid_utf8_chars(const char *s)
{
	size_t	 n = 0;

	/* Every code point has exactly one byte that is not 10xxxxxx. */
	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

char *
valid_trim(char *s)
{
	char	*start = s;
	size_t	 len;

	while (is_space((unsigned char)*start))
		start++;
	len = strlen(start);
	while (len > 0 && is_space((unsigned char)start[len - 1]))
		len--;
	/* Callers keep their pointer (often one they must free): move. */
	memmove(s, start, len);
	s[len] = '\0';
	return s;
}

int
valid_text(const char *s, size_t max)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned long		 cp;
	size_t			 len, n, chars = 0;

	len = strlen(s);
	while (len > 0) {
		if ((n = utf8_decode(p, len, &cp)) == 0)
			return -1;
		/* C0 (tab and newline too), DEL and C1: none is text. */
		if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
			return -1;
		if (++chars > max)
			return -1;
		p += n;
		len -= n;
	}
	return chars == 0 ? -1 : 0;
}

/* RFC 5322 atext: what a dot-atom local part may hold besides dots. */
static int
is_atext(int c)
{
	return is_alpha(c) || is_digit(c) ||
	    (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Local part: 1..64 bytes of atext, dots only between atext runs. */
static int
email_local(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > 64 || s[0] == '.' || s[len - 1] == '.')
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return -1;
		} else if (!is_atext((unsigned char)s[i]))
			return -1;
	}
	return 0;
}

/*
 * Domain: two or more LDH labels of 1..63 bytes, none starting or ending
 * with '-', and a TLD that is not all digits (so "1.2.3.4" is refused:
 * IP addresses are not mail domains here).
 */
static int
email_domain(const char *s)
{
	const char	*label = s;
	size_t		 len, labels = 0, i;
	int		 digits;

	for (;;) {
		len = strcspn(label, ".");
		if (len == 0 || len > 63 ||
		    label[0] == '-' || label[len - 1] == '-')
			return -1;
		digits = 1;
		for (i = 0; i < len; i++) {
			if (!is_digit((unsigned char)label[i]))
				digits = 0;
			if (!is_alpha((unsigned char)label[i]) &&
			    !is_digit((unsigned char)label[i]) &&
			    label[i] != '-')
				return -1;
		}
		labels++;
		if (label[len] == '\0')
			break;
		label += len + 1;
	}
	return labels < 2 || digits ? -1 : 0;
}

int
valid_email(const char *s)
{
	const char	*at;

	/* RFC 5321 path limit; a second '@' fails email_domain's LDH. */
	if (strlen(s) > VALID_EMAIL_MAX || (at = strchr(s, '@')) == NULL)
		return -1;
	if (email_local(s, at - s) == -1)
		return -1;
	return email_domain(at + 1);
}

int
valid_phone(const char *in, char *out, size_t outsz)
{
	char	 buf[VALID_PHONE_MAX + 1];
	size_t	 n = 0;

	for (; *in != '\0'; in++) {
		/* What people type between digits: dropped, not checked. */
		if (strchr(" -.()", *in) != NULL)
			continue;
		if (n == VALID_PHONE_MAX)
			return -1;
		if (n == 0 ? *in != '+' : !is_digit((unsigned char)*in))
			return -1;
		buf[n++] = *in;
	}
	/* E.164: '+', then 8..15 digits, and no country code starts with 0. */
	if (n < 1 + 8 || buf[1] == '0' || n + 1 > outsz)
		return -1;
	buf[n] = '\0';
	memcpy(out, buf, n + 1);
	return 0;
}

static int
currency_cmp(const void *key, const void *elem)
{
	return strcmp(key, elem);
}

int
valid_currency(const char *code, char *out)
{
	char	 key[4];
	size_t	 i;

	/* Stops at the first non-letter, so a short string ends here too. */
	for (i = 0; i < 3; i++) {
		if (!is_alpha((unsigned char)code[i]))
			return -1;
		key[i] = code[i] & ~0x20;	/* ASCII upper case */
	}
	key[3] = '\0';
	if (code[3] != '\0' || bsearch(key, currencies, NITEMS(currencies),
	    sizeof(currencies[0]), currency_cmp) == NULL)
		return -1;
	/* API.md returns currencies in lower case. */
	for (i = 0; i < 3; i++)
		out[i] = key[i] | 0x20;
	out[3] = '\0';
	return 0;
}

/*
 * The Luhn scan works on runs of digits, kept as prefix sums so that any
 * window costs O(1): with the run's digits d[0..n), sum[k] adds d[i] as
 * is for even i and doubled (less 9) for odd i, and alt[k] the other way
 * round, all mod 10. Luhn keeps the check digit (the window's last) as is
 * and doubles every second one before it, so the window ending at d[e]
 * and starting at d[s] is valid if sum[e + 1] == sum[s] when e is even,
 * or alt[e + 1] == alt[s] when e is odd. A window never spans more than
 * CARD_MAX + 1 prefixes, so a small ring holds them.
 */
#define LUHN_RING	32	/* more than CARD_MAX + 1, a power of two */

struct luhn_run {
	unsigned char	 sum[LUHN_RING];
	unsigned char	 alt[LUHN_RING];
	size_t		 n;		/* digits in the run so far */
};

static void
luhn_push(struct luhn_run *r, int d)
{
	int	 dd = d * 2 > 9 ? d * 2 - 9 : d * 2;

	if (r->n == 0)
		r->sum[0] = r->alt[0] = 0;
	r->sum[(r->n + 1) % LUHN_RING] =
	    (r->sum[r->n % LUHN_RING] + (r->n % 2 ? dd : d)) % 10;
	r->alt[(r->n + 1) % LUHN_RING] =
	    (r->alt[r->n % LUHN_RING] + (r->n % 2 ? d : dd)) % 10;
	r->n++;
}

/* 1 if the "len" digits ending at d[end - 1] pass Luhn. */
static int
luhn_window(const struct luhn_run *r, size_t end, size_t len)
{
	const unsigned char	*p = (end - 1) % 2 == 0 ? r->sum : r->alt;

	return p[end % LUHN_RING] == p[(end - len) % LUHN_RING];
}

/*
 * In a run longer than CARD_MAX digits, every window of CARD_MIN..CARD_MAX
 * digits counts, so a number hidden in a longer string is still found:
 * when the run first gets that long, all windows so far; after that, the
 * seven ending at each new digit.
 */
static int
luhn_long(const struct luhn_run *r)
{
	size_t	 end, len;

	if (r->n <= CARD_MAX)
		return 0;
	end = r->n == CARD_MAX + 1 ? CARD_MIN : r->n;
	for (; end <= r->n; end++)
		for (len = CARD_MIN; len <= CARD_MAX && len <= end; len++)
			if (luhn_window(r, end, len))
				return 1;
	return 0;
}

int
valid_has_card_number(const char *s)
{
	struct luhn_run	 r;

	r.n = 0;
	for (;; s++) {
		if (is_digit((unsigned char)*s)) {
			luhn_push(&r, *s - '0');
			if (luhn_long(&r))
				return 0;
			continue;
		}
		/* One space or dash between two digits, as people write. */
		if ((*s == ' ' || *s == '-') && r.n > 0 &&
		    is_digit((unsigned char)s[1]))
			continue;
		/* The run ended: one of card length is checked whole. */
		if (r.n >= CARD_MIN && r.n <= CARD_MAX &&
		    luhn_window(&r, r.n, r.n))
			return 0;
		if (*s == '\0')
			break;
		r.n = 0;
	}
	return -1;
}

int
valid_meta_key(const char *key)
{
	/* Brackets would be ambiguous in form bodies: metadata[a[b]]=c. */
	if (strpbrk(key, "[]") != NULL)
		return -1;
	return valid_text(key, VALID_META_KEY_MAX);
}

int
valid_meta_value(const char *value)
{
	/* Empty is allowed: on update, "" removes the key (API.md). */
	if (valid_utf8(value, strlen(value)) == -1)
		return -1;
	return valid_utf8_chars(value) > VALID_META_VALUE_MAX ? -1 : 0;
}
