/*
 * Validators for Stripe's customer fields (fields.h). The country list is
 * ISO 3166-1 alpha-2 as Debian's iso-codes 4.15 has it; postal code and
 * tax id patterns are the published formats, checked for shape only (a
 * well-formed VAT number may still not exist).
 */
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "fields.h"
#include "ids.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* ISO 3166-1 alpha-2, sorted for bsearch(3). */
static const char	 countries[][3] = {
	"AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR",
	"AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB", "BD", "BE",
	"BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ",
	"BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD",
	"CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR",
	"CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM",
	"DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI",
	"FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
	"GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS",
	"GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU",
	"ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT",
	"JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN",
	"KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK",
	"LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME",
	"MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ",
	"MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
	"NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU",
	"NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
	"PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS",
	"RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI",
	"SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV",
	"SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK",
	"TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ", "UA",
	"UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
	"VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW"
};

/* A pattern compiled on first use and kept for the process's life. */
struct pattern {
	const char	*key;		/* a country or a tax id type */
	const char	*re;
	const char	*country;	/* tax ids: the country, NULL: by prefix */
	pcre2_code	*code;
};

/* Postal codes where the rule is one pattern (upper-cased input). */
static struct pattern	 postal[] = {
	{ "AU", "[0-9]{4}", NULL, NULL },
	{ "CA", "[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z] ?[0-9]"
	    "[ABCEGHJ-NPRSTV-Z][0-9]", NULL, NULL },
	{ "DE", "[0-9]{5}", NULL, NULL },
	{ "ES", "(0[1-9]|[1-4][0-9]|5[0-2])[0-9]{3}", NULL, NULL },
	{ "FR", "[0-9]{5}", NULL, NULL },
	{ "GB", "[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}", NULL, NULL },
	{ "IN", "[1-9][0-9]{5}", NULL, NULL },
	{ "IT", "[0-9]{5}", NULL, NULL },
	{ "JP", "[0-9]{3}-?[0-9]{4}", NULL, NULL },
	{ "KE", "[0-9]{5}", NULL, NULL },
	{ "NL", "[1-9][0-9]{3} ?[A-Z]{2}", NULL, NULL },
	{ "US", "[0-9]{5}(-[0-9]{4})?", NULL, NULL },
};

/* Tax id types as Stripe names them, with the shape of their values. */
static struct pattern	 tax_ids[] = {
	{ "au_abn", "[0-9]{11}", "AU", NULL },
	{ "br_cnpj", "[0-9]{2}\\.[0-9]{3}\\.[0-9]{3}/[0-9]{4}-[0-9]{2}", "BR",
	    NULL },
	{ "ca_bn", "[0-9]{9}", "CA", NULL },
	{ "ch_vat", "CHE-?[0-9]{3}\\.?[0-9]{3}\\.?[0-9]{3} ?(MWST|TVA|IVA)",
	    "CH", NULL },
	{ "eu_vat", "(AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU"
	    "|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI)[0-9A-Z]{8,12}", NULL, NULL },
	{ "gb_vat", "GB([0-9]{9}|[0-9]{12}|GD[0-9]{3}|HA[0-9]{3})", "GB",
	    NULL },
	{ "in_gst", "[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]", "IN",
	    NULL },
	{ "jp_cn", "[0-9]{13}", "JP", NULL },
	{ "ke_pin", "[AP][0-9]{9}[A-Z]", "KE", NULL },
	{ "ng_tin", "[0-9]{8}-[0-9]{4}", "NG", NULL },
	{ "no_vat", "[0-9]{9}MVA", "NO", NULL },
	{ "nz_gst", "[0-9]{8,9}", "NZ", NULL },
	{ "us_ein", "[0-9]{2}-?[0-9]{7}", "US", NULL },
	{ "za_vat", "4[0-9]{9}", "ZA", NULL },
};

/* BCP 47 as Stripe takes it: language, script, region. */
static struct pattern	 locale = {
	"locale", "[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?",
	NULL, NULL };
static struct pattern	 prefix = { "prefix", "[A-Z0-9]{3,12}", NULL, NULL };

/* 0 if all of "s" matches p->re; -1 if not or if it cannot compile. */
static int
match(struct pattern *p, const char *s)
{
	pcre2_match_data	*md;
	PCRE2_SIZE		 off;
	int			 err, rc;

	if (p->code == NULL) {
		p->code = pcre2_compile((PCRE2_SPTR)p->re, PCRE2_ZERO_TERMINATED,
		    PCRE2_ANCHORED | PCRE2_ENDANCHORED, &err, &off, NULL);
		if (p->code == NULL)
			return -1;
		(void)pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE);
	}
	if ((md = pcre2_match_data_create_from_pattern(p->code, NULL)) == NULL)
		return -1;
	rc = pcre2_match(p->code, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0 ? 0 : -1;
}

static struct pattern *
find(struct pattern *table, size_t n, const char *key)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(table[i].key, key) == 0)
			return &table[i];
	return NULL;
}

static int
country_cmp(const void *key, const void *elem)
{
	return strcmp(key, elem);
}

int
fields_country(const char *code)
{
	if (strlen(code) != 2)
		return -1;
	return bsearch(code, countries, NITEMS(countries), sizeof(countries[0]),
	    country_cmp) != NULL ? 0 : -1;
}

int
fields_postal_code(const char *country, const char *code)
{
	struct pattern	*p = find(postal, NITEMS(postal), country);
	char		 up[16];
	size_t		 i;

	if (p == NULL)
		return 0;
	/* Postal codes are case-insensitive ("sw1a 1aa"). */
	for (i = 0; code[i] != '\0' && i < sizeof(up) - 1; i++)
		up[i] = code[i] >= 'a' && code[i] <= 'z' ?
		    code[i] - 'a' + 'A' : code[i];
	if (code[i] != '\0')
		return -1;
	up[i] = '\0';
	return match(p, up);
}

int
fields_locale(const char *tag)
{
	return strlen(tag) <= 16 ? match(&locale, tag) : -1;
}

int
fields_invoice_prefix(const char *s)
{
	return match(&prefix, s);
}

int
fields_new_invoice_prefix(char *out, size_t outsz)
{
	size_t	 i;

	if (outsz <= FIELDS_PREFIX_LEN ||
	    ids_random(out, FIELDS_PREFIX_LEN) == -1)
		return -1;
	/* Stripe's are upper-case letters and digits, as "0759376C". */
	for (i = 0; i < FIELDS_PREFIX_LEN; i++)
		if (out[i] >= 'a' && out[i] <= 'z')
			out[i] = out[i] - 'a' + 'A';
	out[FIELDS_PREFIX_LEN] = '\0';
	return 0;
}

int
fields_tax_id(const char *type, const char *value, char *country, int *known)
{
	struct pattern	*p = find(tax_ids, NITEMS(tax_ids), type);

	*known = p != NULL;
	if (p == NULL || strlen(value) > 32 || match(p, value) == -1)
		return -1;
	/* EU VAT numbers start with the member state, Greece as EL and
	 * Northern Ireland as XI. */
	if (p->country != NULL)
		memcpy(country, p->country, 2);
	else if (strncmp(value, "EL", 2) == 0)
		memcpy(country, "GR", 2);
	else if (strncmp(value, "XI", 2) == 0)
		memcpy(country, "GB", 2);
	else
		memcpy(country, value, 2);
	country[2] = '\0';
	return 0;
}

const char *
fields_tax_id_types(void)
{
	return "au_abn, br_cnpj, ca_bn, ch_vat, eu_vat, gb_vat, in_gst, "
	    "jp_cn, ke_pin, ng_tin, no_vat, nz_gst, us_ein, za_vat";
}
